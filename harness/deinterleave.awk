# SPDX-License-Identifier: GPL-2.0
#
# Undo the interleaving of kernel messages with a test's output on one
# console: printk writes whole lines, so a kernel line ("[ 12.345678] ...")
# that starts in the middle of a line of test output cut that line in two.
# Print the kernel lines on their own and the test line joined again.
#
#   awk -f deinterleave.awk LOG

{
	line = $0
	if (pending != "" && line !~ /^\[ *[0-9]+\.[0-9]+\] /) {
		# The rest of the test line cut by kernel lines.
		print pending line
		pending = ""
		next
	}
	if (match(line, /\[ *[0-9]+\.[0-9]+\] /) && RSTART > 1 && pending == "") {
		pending = substr(line, 1, RSTART - 1)
		print substr(line, RSTART)
		next
	}
	print line
}
END { if (pending != "") print pending }
