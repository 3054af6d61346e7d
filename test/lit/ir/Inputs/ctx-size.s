ldxdw %r2, [%r1]
mov %r0, 0
exit
