#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""BAR2 of a PCI device through sysfs, for the vfio lab scenarios.

  vfio_bar.py fill <BDF> <seed>   fill BAR2 with seeded pseudo-random bytes
  vfio_bar.py digest <BDF>        print the SHA-256 of BAR2

Only while no process holds the device open (the kernel refuses a sysfs
mapping of a BAR a driver has claimed). Memory decoding is switched on
first: a device nobody enabled ignores its BARs.
"""
import hashlib
import mmap
import os
import random
import sys


def bar(bdf):
    dev = "/sys/bus/pci/devices/" + bdf
    with open(dev + "/config", "r+b") as f:
        f.seek(4)
        cmd = int.from_bytes(f.read(2), "little")
        if not cmd & 0x2:
            f.seek(4)
            f.write((cmd | 0x2).to_bytes(2, "little"))
    path = dev + "/resource2"
    size = os.path.getsize(path)
    fd = os.open(path, os.O_RDWR | os.O_SYNC)
    try:
        return mmap.mmap(fd, size)
    finally:
        os.close(fd)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("fill", "digest"):
        sys.exit(__doc__)
    m = bar(sys.argv[2])
    if sys.argv[1] == "fill":
        m[:] = random.Random(int(sys.argv[3])).randbytes(len(m))
        m.flush()
    else:
        print(hashlib.sha256(m[:]).hexdigest())
    m.close()


if __name__ == "__main__":
    main()
