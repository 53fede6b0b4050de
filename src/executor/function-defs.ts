/**
 * Helpers the built-in function modules (functions-*.ts) use to register entries in the
 * function catalog: fixed signatures, polymorphic signatures (anyelement, anyarray,
 * anycompatible...) and variadic "any" functions, whose implementation is built for the
 * concrete argument types once the planner has resolved them.
 */
import { defineFunction, type ScalarFunction, type Volatility } from './functions.ts';
import { resolvePolymorphic } from './polymorphic.ts';

export interface FnOptions {
  readonly strict?: boolean;
  readonly volatility?: Volatility;
  readonly returnsSet?: boolean;
  readonly setColumns?: readonly { readonly name: string; readonly type: number }[];
}

type Impl = ScalarFunction['impl'];

function entry(name: string, argTypes: readonly number[], returnType: number, impl: Impl, opts: FnOptions): ScalarFunction {
  return {
    name,
    argTypes,
    returnType,
    impl,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'immutable',
    returnsSet: opts.returnsSet,
    setColumns: opts.setColumns,
  };
}

/** Registers a function with a fixed signature (strict and immutable unless told otherwise). */
export function fn(name: string, argTypes: readonly number[], returnType: number, impl: Impl, opts: FnOptions = {}): void {
  defineFunction(entry(name, argTypes, returnType, impl, opts));
}

const unresolved: Impl = () => {
  throw new Error('polymorphic function called before specialization');
};

/**
 * Registers a function whose parameters may be polymorphic pseudo-types (PolyOid); `make`
 * builds the implementation for the resolved argument and result types.
 */
export function polyFn(
  name: string,
  params: readonly number[],
  returnType: number,
  make: (argTypes: readonly number[], returnType: number) => Impl,
  opts: FnOptions = {},
): void {
  defineFunction({
    ...entry(name, params, returnType, unresolved, opts),
    specialize(actual) {
      const r = resolvePolymorphic(params, returnType, actual);
      return r ? entry(name, r.argTypes, r.returnType, make(r.argTypes, r.returnType), opts) : null;
    },
  });
}

/**
 * Registers a variadic function: `decide` maps the actual argument types to the types the
 * arguments are coerced to and the result type (or null when they do not fit).
 */
export function variadicFn(
  name: string,
  decide: (actual: readonly number[]) => { argTypes: readonly number[]; returnType: number } | null,
  make: (argTypes: readonly number[], returnType: number) => Impl,
  opts: FnOptions = {},
): void {
  defineFunction({
    ...entry(name, [], 0, unresolved, opts),
    specialize(actual) {
      const r = decide(actual);
      return r ? entry(name, r.argTypes, r.returnType, make(r.argTypes, r.returnType), opts) : null;
    },
  });
}
