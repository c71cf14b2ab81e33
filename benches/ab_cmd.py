#!/usr/bin/env python3
"""ab_cmd.py RUNS 'cmd1' 'cmd2' ...: commands alternately (order flipped every round), medians of wall, CPU, peak RSS."""
import sys, subprocess, time, statistics, os, shlex
runs=int(sys.argv[1]); cmds=sys.argv[2:]
res={c:[] for c in cmds}
for r in range(runs):
    for c in (cmds if r%2==0 else cmds[::-1]):
        s=time.perf_counter()
        p=subprocess.Popen(shlex.split(c),stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
        _,st,ru=os.wait4(p.pid,0)
        res[c].append((time.perf_counter()-s,ru.ru_utime+ru.ru_stime,ru.ru_maxrss/1024))
for c in cmds:
    x=res[c]
    print('%-70s wall %.3f cpu %.3f rss %.0fMB'%(c[:70],*(statistics.median([a[i] for a in x]) for i in range(3))))
