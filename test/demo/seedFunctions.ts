/**
 * The Python functions of the Executor user guide (seed-executor.md), as `{ name, source }`, with the
 * guide's extraction mistakes fixed (the Collatz `else:` branch, anchors.md §D.15).
 */
import type { PythonFunction } from "../../core/executor";

export const double: PythonFunction = {
  name: "double",
  source: "def double(x):\n    return x * 2\n",
};

/** The guide's Collatz loop, shared by its two variants below. */
const COLLATZ_LOOP = `    seq = [N]
    while N != 1 and len(seq) < sequence_limit:
        if N % 2:
            N = 3 * N + 1
        else:
            N //= 2  # okay because guaranteed integer result
        seq.append(N)
`;

export const generateCollatzSequence: PythonFunction = {
  name: "generate_collatz_sequence",
  source: `def generate_collatz_sequence(N: int, sequence_limit = 10_000):\n${COLLATZ_LOOP}    return seq\n`,
};

/** Raises after `sequence_limit` steps instead of returning: the guide's exception example. */
export const generateCollatzSequenceStrict: PythonFunction = {
  name: "generate_collatz_sequence",
  source: `def generate_collatz_sequence(N: int, sequence_limit=100):
${COLLATZ_LOOP}    if N != 1:
        raise ValueError(f"Sequence not terminated in {sequence_limit} steps")
    return seq
`,
};

export const doubleText: PythonFunction = {
  name: "double",
  source: 'def double(x):\n    return f"{x} -> {x * 2}"\n',
};

export const slowDouble: PythonFunction = {
  name: "slow_double",
  source: `def slow_double(x):
    import random, time
    time.sleep(x * random.random() / 20)  # the guide sleeps up to x seconds; scaled down for a demo
    return f"{x} -> {x * 2}"
`,
};

export const taskKernel: PythonFunction = {
  name: "task_kernel",
  source: 'def task_kernel(num):\n    return f"your Globus Compute logic result, from task: {num}"\n',
};

/** Python's view of the arguments, to check what reached the endpoint. */
export const describeArgs: PythonFunction = {
  name: "describe_args",
  source: `def describe_args(*args, **kwargs):
    return repr(args) + " " + repr(sorted(kwargs.items()))
`,
};
