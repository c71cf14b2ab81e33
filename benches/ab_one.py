#!/usr/bin/env python3
"""Binaries (each optionally with environment variables) scanning one tree alternately:
medians of wall time, CPU time (user + system) and peak RSS.

    python3 benches/ab_one.py RUNS TREE [VAR=val,...:]BIN...
"""
import sys, subprocess, time, statistics, os, resource
runs=int(sys.argv[1]); target=sys.argv[2]; specs=sys.argv[3:]
def parse(sp):
    env=dict(os.environ)
    if ':' in sp:
        e,b=sp.rsplit(':',1)
        for kv in e.split(','):
            k,v=kv.split('=',1); env[k]=v
    else: b=sp
    return env,b
res={s:[] for s in specs}
for r in range(runs):
    for sp in (specs if r%2==0 else specs[::-1]):
        env,b=parse(sp)
        s=time.perf_counter()
        p=subprocess.Popen([b,'scan',target,'-f','json'],stdout=subprocess.DEVNULL,env=env)
        _,st,ru=os.wait4(p.pid,0)
        w=time.perf_counter()-s
        res[sp].append((w,ru.ru_utime+ru.ru_stime,ru.ru_maxrss/1024))
for sp in specs:
    x=res[sp]
    print('%-60s wall %.4f cpu %.4f rss %.0fMB'%(sp,statistics.median([a[0] for a in x]),statistics.median([a[1] for a in x]),statistics.median([a[2] for a in x])))
