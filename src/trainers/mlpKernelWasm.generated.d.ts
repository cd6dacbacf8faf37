// The wasm builds of kernels/mlp/mlp.ts as base64, made by scripts/build-kernels.mjs (the .js beside this is not committed).
/** SIMD128, imports a plain memory. */
export declare const MLP_KERNEL_SIMD: string;
/** SIMD128 with relaxed SIMD's fused multiply-add, imports a plain memory. */
export declare const MLP_KERNEL_RELAXED_SIMD: string;
/** SIMD128, imports a shared memory (maximum 4 GiB). */
export declare const MLP_KERNEL_SIMD_SHARED: string;
/** Relaxed SIMD, imports a shared memory (maximum 4 GiB). */
export declare const MLP_KERNEL_RELAXED_SIMD_SHARED: string;
