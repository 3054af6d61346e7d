mov %r6, %r1
jeq %r2, 0, +1
mov %r6, %r10
ldxw %r0, [%r6-4]
exit
