add %r1, 4
ldxw %r0, [%r1]
exit
