/** A linear operator y = A x on vectors of one length. */
export type Operator = (x: Float64Array, y: Float64Array) => void;

export interface CgOptions {
  /** Stop when ||r|| < rtol * ||b|| (pymatting: 1e-7). */
  readonly rtol: number;
  readonly maxIterations: number;
}

export interface CgResult {
  readonly x: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  readonly relativeResidual: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Preconditioned conjugate gradients (Fletcher-Reeves beta), starting from x0 in place.
 * `precondition(r, z)` must apply a symmetric positive definite approximation of A^-1.
 */
export function conjugateGradient(
  apply: Operator,
  b: Float64Array,
  x: Float64Array,
  precondition: Operator,
  options: CgOptions,
): CgResult {
  const n = b.length;
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  apply(x, q);
  for (let i = 0; i < n; i++) r[i] = (b[i] as number) - (q[i] as number);
  const bNorm = Math.sqrt(dot(b, b));
  const target = options.rtol * bNorm;
  let rNorm = Math.sqrt(dot(r, r));
  if (rNorm <= target || n === 0) {
    return { x, iterations: 0, converged: true, relativeResidual: bNorm > 0 ? rNorm / bNorm : 0 };
  }
  precondition(r, z);
  p.set(z);
  let rz = dot(r, z);
  for (let it = 1; it <= options.maxIterations; it++) {
    apply(p, q);
    const alpha = rz / dot(p, q);
    for (let i = 0; i < n; i++) {
      x[i] = (x[i] as number) + alpha * (p[i] as number);
      r[i] = (r[i] as number) - alpha * (q[i] as number);
    }
    rNorm = Math.sqrt(dot(r, r));
    if (rNorm <= target) {
      return { x, iterations: it, converged: true, relativeResidual: rNorm / bNorm };
    }
    precondition(r, z);
    const rzNext = dot(r, z);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = (z[i] as number) + beta * (p[i] as number);
  }
  return {
    x,
    iterations: options.maxIterations,
    converged: false,
    relativeResidual: rNorm / bNorm,
  };
}
