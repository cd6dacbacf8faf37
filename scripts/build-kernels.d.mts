/** Types of scripts/build-kernels.mjs for vite.config.ts. */
export function buildKernels(options?: { quiet?: boolean }): Promise<boolean>;
export default function setup(): Promise<void>;
