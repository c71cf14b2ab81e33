#!/usr/bin/env python3
"""Two or more binaries scanning every application of CHECKOUTS alternately, medians of wall time.

    python3 benches/ab_apps.py RUNS THREADS BIN...   (THREADS: RAYON_NUM_THREADS, or - to leave it unset)
"""
import sys, subprocess, time, statistics, os
runs=int(sys.argv[1]); threads=sys.argv[2]; bins=sys.argv[3:]
apps=sorted(os.listdir(os.environ.get('CHECKOUTS', '/work/apps')))
if os.environ.get('APPS'): apps=os.environ['APPS'].split(',')
env=dict(os.environ)
if threads!='-': env['RAYON_NUM_THREADS']=threads
t={(b,a):[] for b in bins for a in apps}
for r in range(runs):
    for a in apps:
        order = bins if r%2==0 else bins[::-1]
        for b in order:
            s=time.perf_counter()
            subprocess.run([b,'scan',os.path.join(os.environ.get('CHECKOUTS', '/work/apps'), a),'-f','json'],stdout=subprocess.DEVNULL,env=env,check=True)
            t[(b,a)].append(time.perf_counter()-s)
print('app', *[os.path.basename(b) for b in bins])
for a in apps:
    print(a, *['%.3f'%statistics.median(t[(b,a)]) for b in bins])
print('total', *['%.3f'%sum(statistics.median(t[(b,a)]) for a in apps) for b in bins])
