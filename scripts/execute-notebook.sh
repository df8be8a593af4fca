#!/usr/bin/env bash
# Executes examples/repap.ipynb headless in a real Deno Jupyter kernel and writes the outputs into it.
#
# Needs: Debian's jupyter-nbconvert, jupyter-client and python3-ipykernel (apt-get), Node/npx (Deno comes
# from npm; nothing is added to package.json) and a built package (npm run build).
#
#   scripts/execute-notebook.sh            # execute and overwrite examples/repap.ipynb
#   scripts/execute-notebook.sh --check    # execute into a temporary file only (CI): fails on any error
#
# Deno's kernel now and then reports a cell finished before that cell's output (console.log or display) reaches
# nbconvert, which then records the cell with no output. Each run is therefore checked (every code
# cell has an output, the chart is an SVG) and repeated, up to three times.
set -euo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION="${DENO_VERSION:-2.9.6}"
JUPYTER="${JUPYTER:-/usr/bin/jupyter}"
PYTHON="${PYTHON:-/usr/bin/python3}"
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

[ -f dist/node/index.js ] || { echo "execute-notebook: dist/ is missing; run npm run build first" >&2; exit 1; }
[ -f assets/a-si-30-sw-300K/model/model.json ] || { echo "execute-notebook: the embedded model (assets/a-si-30-sw-300K/model) is missing" >&2; exit 1; }

# Registers the "deno" kernelspec (in ~/.local/share/jupyter/kernels/deno), pointing at the npm-installed binary.
npx -y "deno@${DENO_VERSION}" --version | head -1
npx -y "deno@${DENO_VERSION}" jupyter --install --force 2>&1 | grep -v unstable || true

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for attempt in 1 2 3; do
  "$JUPYTER" nbconvert --to notebook --execute \
    --ExecutePreprocessor.kernel_name=deno --ExecutePreprocessor.timeout=300 \
    --ExecutePreprocessor.record_timing=False \
    examples/repap.ipynb --output-dir "$tmp" --output repap.ipynb 2>&1 | grep -v -e 'Debugg' -e 'frozen' -e '^0\.00s' || true
  if [ -f "$tmp/repap.ipynb" ] && "$PYTHON" - "$tmp/repap.ipynb" <<'EOF'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
empty = [i for i, c in enumerate(code) if not c["outputs"]]
errors = [i for i, c in enumerate(code) if any(o["output_type"] == "error" for o in c["outputs"])]
svg = any("image/svg+xml" in o.get("data", {}) for c in code for o in c["outputs"])
if empty or errors or not svg:
    print(f"execute-notebook: code cells without output {empty}, with errors {errors}, SVG shown: {svg}", file=sys.stderr)
    sys.exit(1)
EOF
  then
    if [ "$check_only" = 0 ]; then cp "$tmp/repap.ipynb" examples/repap.ipynb; echo "execute-notebook: wrote examples/repap.ipynb"; fi
    echo "execute-notebook: ok (attempt $attempt)"
    exit 0
  fi
  rm -f "$tmp/repap.ipynb"
done
echo "execute-notebook: failed three times" >&2
exit 1
