"""Examples from the Globus Compute Executor guide.

Right-click inside a function and choose "Submit Function with Arguments…", then type the
arguments as in a call, for example `7` for double.
"""


def double(x):
    return x * 2


def generate_collatz_sequence(N: int, sequence_limit=10_000):
    seq = [N]
    while N != 1 and len(seq) < sequence_limit:
        if N % 2:
            N = 3 * N + 1
        else:
            N //= 2  # okay because guaranteed integer result
        seq.append(N)
    return seq


def generate_collatz_sequence_strict(N: int, sequence_limit=100):
    """Raises instead of returning a partial sequence: try it with 1234567890."""
    seq = [N]
    while N != 1 and len(seq) < sequence_limit:
        if N % 2:
            N = 3 * N + 1
        else:
            N //= 2
        seq.append(N)
    if N != 1:
        raise ValueError(f"Sequence not terminated in {sequence_limit} steps")
    return seq


def slow_double(x):
    import random
    import time

    time.sleep(x * random.random())
    return f"{x} -> {x * 2}"
