/**
 * A linear operator y = A x on vectors of one length. It may return x . y, which the stencil
 * kernels get for free while y[i] is in a register; CG then skips a pass over both vectors.
 */
export type Operator = (x: Float64Array, y: Float64Array) => unknown;

export interface CgOptions {
  /** Stop when ||r|| < rtol * ||b|| (pymatting: 1e-7). */
  readonly rtol: number;
  readonly maxIterations: number;
  /** Keep the residual in b's array (b is overwritten): one vector less to hold. */
  readonly residualInB?: boolean;
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
  const bNorm = Math.sqrt(dot(b, b));
  const r = options.residualInB ? b : new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  apply(x, q);
  for (let i = 0; i < n; i++) r[i] = (b[i] as number) - (q[i] as number);
  const target = options.rtol * bNorm;
  let rNorm = Math.sqrt(dot(r, r));
  if (rNorm <= target || n === 0) {
    return { x, iterations: 0, converged: true, relativeResidual: bNorm > 0 ? rNorm / bNorm : 0 };
  }
  const first = precondition(r, z);
  p.set(z);
  let rz = typeof first === 'number' ? first : dot(r, z);
  for (let it = 1; it <= options.maxIterations; it++) {
    const pq = apply(p, q);
    const alpha = rz / (typeof pq === 'number' ? pq : dot(p, q));
    let rr = 0;
    for (let i = 0; i < n; i++) {
      x[i] = (x[i] as number) + alpha * (p[i] as number);
      const ri = (r[i] as number) - alpha * (q[i] as number);
      r[i] = ri;
      rr += ri * ri;
    }
    rNorm = Math.sqrt(rr);
    if (rNorm <= target) {
      return { x, iterations: it, converged: true, relativeResidual: rNorm / bNorm };
    }
    const given = precondition(r, z);
    const rzNext = typeof given === 'number' ? given : dot(r, z);
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
