call 999
exit
