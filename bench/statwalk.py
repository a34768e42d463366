"""The floor of any freshness check: a bare os.walk + stat of a data folder (prints the number of files)."""

import os
import sys

n = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        os.stat(os.path.join(folder, name))
        n += 1
print(n)
