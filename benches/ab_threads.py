#!/usr/bin/env python3
"""Each binary scanning TREE with RAYON_NUM_THREADS=1 and 2, alternately: medians and the speed-up.

    python3 benches/ab_threads.py RUNS TREE BIN...
"""
import sys, subprocess, time, statistics, os
runs=int(sys.argv[1]); app=sys.argv[2]; bins=sys.argv[3:]
t={}
for r in range(runs):
    for th in ('1','2'):
        for b in (bins if r%2==0 else bins[::-1]):
            env=dict(os.environ, RAYON_NUM_THREADS=th)
            s=time.perf_counter()
            subprocess.run([b,'scan',app,'-f','json'],stdout=subprocess.DEVNULL,env=env,check=True)
            t.setdefault((b,th),[]).append(time.perf_counter()-s)
for b in bins:
    m1=statistics.median(t[(b,'1')]); m2=statistics.median(t[(b,'2')])
    print(os.path.basename(b), '1 thread %.3f  2 threads %.3f  speed-up %.2fx'%(m1,m2,m1/m2))
