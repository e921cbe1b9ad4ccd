"""Benchmark workloads (copied from shared/bench so that the project stands alone): each returns (exprs, vars) as lists of strings in user syntax.

arm(n)    planar n-link arm, end effector (x, y, angle): 3 x n, long trig sums
bratu(n)  1-D Bratu finite-difference residual: n x n, tridiagonal
sphere(n) n-dim hyperspherical coordinates: n x n, det = r^(n-1) prod sin^k
layer(n)  tanh(W x + b) with small integer W: n x n, dense
"""
def arm(n):
    # planar n-link arm: end effector x, y, angle
    xs=[]; ys=[]
    for i in range(1,n+1):
        s="+".join(f"q{j}" for j in range(1,i+1))
        xs.append(f"l{i}*cos({s})"); ys.append(f"l{i}*sin({s})")
    return ["+".join(xs), "+".join(ys), "+".join(f"q{j}" for j in range(1,n+1))], [f"q{j}" for j in range(1,n+1)]
def bratu(n):
    u=[f"u{i}" for i in range(n)]
    ex=[]
    for i in range(n):
        l = u[i-1] if i>0 else "0"; r = u[i+1] if i<n-1 else "0"
        ex.append(f"{l} - 2*{u[i]} + {r} + h^2*lam*exp({u[i]})")
    return ex, u
def sphere(n):
    # n-dim hyperspherical coordinates (r, p1..p_{n-1}) -> x1..xn
    ph=[f"p{i}" for i in range(1,n)]
    ex=[]
    for k in range(n):
        terms=["r"]+[f"sin({ph[j]})" for j in range(min(k,n-1))]
        if k<n-1: terms.append(f"cos({ph[k]})")
        ex.append("*".join(terms))
    return ex, ["r"]+ph
def layer(n):
    # tanh(W x + b) with numeric integer weights
    import random; random.seed(1)
    ex=[]
    for i in range(n):
        s="+".join(f"{random.randint(-5,5)}*x{j}" for j in range(n))
        ex.append(f"tanh({s}+{random.randint(-3,3)})")
    return ex, [f"x{j}" for j in range(n)]

def kinetics(n):
    """Mass-action chain A0 <-> A1 <-> ... with rate parameters k_i: n x n, banded, polynomial."""
    c=[f"c{i}" for i in range(n)]
    ex=[]
    for i in range(n):
        terms=[]
        if i>0: terms.append(f"k{i-1}*{c[i-1]}^2 - r{i-1}*{c[i]}")
        if i<n-1: terms.append(f"-k{i}*{c[i]}^2 + r{i}*{c[i+1]}")
        ex.append(" + ".join(terms) if terms else "0")
    return ex, c

def write(kind, n, path):
    ex, vs = globals()[kind](n)
    with open(path, "w") as f:
        f.write("\n".join(ex) + "\n")
    return vs

if __name__ == "__main__":
    import sys
    ex, vs = globals()[sys.argv[1]](int(sys.argv[2]))
    print("\n".join(ex)); print(",".join(vs), file=sys.stderr)
