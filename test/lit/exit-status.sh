#!/bin/sh
# SPDX-License-Identifier: MIT
# exit-status.sh CMD ARGS... - run CMD and append "exit status N" to its
# stdout, then exit 0, so that a lit test can FileCheck an exact exit code
# (lit's `not` only tells zero from nonzero).
"$@"
echo "exit status $?"
