call 4
exit
