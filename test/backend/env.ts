/**
 * What WebGPU in Node needs from the machine, checked explicitly so that tests skip with a reason where it
 * is missing (and fail, not skip, when repap itself is broken).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** SwiftShader's Vulkan driver from Debian's chromium package: WebGPU in Node on a machine without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The Vulkan ICD manifest to use: $VK_ICD_FILENAMES, else SwiftShader's where chromium is installed. */
export const vulkanICD: string | undefined =
  process.env.VK_ICD_FILENAMES ?? (existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined);

function hasVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true; // Dawn brings its own loader elsewhere; let useBackend decide
  try {
    return execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
  }
}

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** Why WebGPU in Node cannot run here, or null when the `webgpu` package, the Vulkan loader and an ICD are present. */
export const webgpuSkipReason: string | null = !installed('webgpu')
  ? 'the `webgpu` package (Dawn for Node) is not installed'
  : !hasVulkanLoader()
    ? 'the Vulkan loader libvulkan.so.1 is missing (Debian: apt-get install libvulkan1)'
    : vulkanICD === undefined
      ? `no Vulkan ICD: set VK_ICD_FILENAMES, or install Debian's chromium (it ships ${SWIFTSHADER_ICD})`
      : !existsSync(vulkanICD.split(':')[0])
        ? `VK_ICD_FILENAMES points to ${vulkanICD}, which does not exist`
        : null;

/** True when `pkg` resolves from the tests. */
export { installed };
