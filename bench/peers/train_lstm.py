"""PyTorch peer of RePAP training throughput (bench/train.ts runs it side by side).

The paper's network: LSTM(input, 256, num_layers=2, dropout=0.5) -> ReLU ->
Linear(256, G, bias=False) -> sigmoid, MSE loss, one optimiser step per batch,
on random one-hot inputs (cell one-hot + step one-hot) and random targets.
One thread (torch.set_num_threads(1)). Prints one JSON line per batch size with
sequences per wall-clock second and per CPU second (process time: robust to
other processes on a shared machine).

usage: train_lstm.py --batches 32,64 --steps 89 --grid 50 --units 256 --n 8 --optimizer rmsprop
"""
import argparse
import json
import resource
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batches", default="32,64")
    ap.add_argument("--steps", type=int, default=89)
    ap.add_argument("--grid", type=int, default=50)
    ap.add_argument("--units", type=int, default=256)
    ap.add_argument("--n", type=int, default=8, help="timed batches after 2 warm-up batches")
    ap.add_argument("--optimizer", default="rmsprop", choices=["rmsprop", "adam"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    S, G, U = args.steps, args.grid, args.units
    D = G + S
    lstm = torch.nn.LSTM(D, U, num_layers=2, dropout=0.5, batch_first=True)
    head = torch.nn.Linear(U, G, bias=False)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.RMSprop(params, lr=1e-3) if args.optimizer == "rmsprop" else torch.optim.Adam(params, lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    lstm.train()
    for B in [int(b) for b in args.batches.split(",")]:
        x = torch.zeros(B, S, D)
        cells = torch.randint(0, G, (B, S))
        x.scatter_(2, cells.unsqueeze(2), 1.0)
        x[:, torch.arange(S), G + torch.arange(S)] = 1.0
        y = torch.rand(B, S, G)

        def step() -> float:
            opt.zero_grad()
            out, _ = lstm(x)
            pred = torch.sigmoid(head(torch.relu(out)))
            loss = loss_fn(pred, y)
            loss.backward()
            opt.step()
            return float(loss)

        for _ in range(2):
            step()
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(args.n):
            step()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        print(json.dumps({
            "batch": B,
            "seq_per_s": B * args.n / dt,
            "seq_per_cpu_s": B * args.n / dc,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "torch": torch.__version__,
        }), flush=True)


if __name__ == "__main__":
    main()
