# Sourced by the benchmarks. Debian's crun 1.8.1 refuses a hybrid host whose
# cgroup2 hierarchy has any controller (this one has hugetlb). Binding
# hugetlb to a v1 hierarchy for the run empties that list;
# crun_hybrid_end undoes it.
hugetlb_mount=""

crun_hybrid_begin() { # crun_hybrid_begin SCRATCH-DIR
        [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] || return 0
        hugetlb_mount=$1/hugetlb
        mkdir -p "$hugetlb_mount"
        if mount -t cgroup -o hugetlb none "$hugetlb_mount"; then
                echo "note: hugetlb bound to a v1 hierarchy during the benchmark so that crun runs on this hybrid host"
        else
                echo "note: could not bind hugetlb to a v1 hierarchy; crun may refuse this hybrid host"
                rmdir "$hugetlb_mount"
                hugetlb_mount=""
        fi
}

crun_hybrid_end() {
        if [ -n "$hugetlb_mount" ]; then
                umount "$hugetlb_mount" && rmdir "$hugetlb_mount"
                echo "note: hugetlb returned to the cgroup2 hierarchy"
                hugetlb_mount=""
        fi
}

# median: the median of the numbers on stdin, one per line.
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
