// Prints how Go's slices.SortFunc orders inputs with ties, for tests/base/go_sort_test.cpp:
// one case per line, "KEYS | ORDER", where ORDER lists the input positions in sorted order.
// Inputs come from a fixed seed, in shapes that take each path of Go's pdqsort (insertion sort,
// partial insertion sort, equal partitions, pattern breaking, reversed runs). Not the heap sort:
// Go falls back to it after log2(n) unbalanced partitions, which not even McIlroy's adversary
// below brings about.
//   go run tools/golden/go-sort/main.go > tests/golden/go_sort/slices_sortfunc.txt
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strings"
)

type item struct{ key, pos int }

func shape(r *rand.Rand, kind, n int) []int {
	keys := make([]int, n)
	for i := range keys {
		switch kind {
		case 0: // few distinct values
			keys[i] = r.Intn(4)
		case 1: // ascending with ties and a few out of place
			keys[i] = i / 3
		case 2: // descending with ties
			keys[i] = (n - i) / 2
		case 3: // many ties at the front, as regions without a start
			if r.Intn(3) == 0 {
				keys[i] = 0
			} else {
				keys[i] = 1 + i
			}
		case 4: // organ pipe
			keys[i] = min(i, n-i) / 2
		default: // random, some ties
			keys[i] = r.Intn(n)
		}
	}
	if (kind == 1 || kind == 3) && n > 0 {
		for k := r.Intn(4); k > 0; k-- {
			i, j := r.Intn(n), r.Intn(n)
			keys[i], keys[j] = keys[j], keys[i]
		}
	}
	return keys
}

func main() {
	r := rand.New(rand.NewSource(1))
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	sizes := []int{0, 1, 2, 12, 13, 49, 50, 51, 64, 100, 257, 1000}
	for kind := 0; kind < 6; kind++ {
		for _, n := range sizes {
			emit(out, shape(r, kind, n))
		}
		for c := 0; c < 25; c++ {
			emit(out, shape(r, kind, 13+r.Intn(150)))
		}
	}
	for _, n := range []int{64, 257, 1000} {
		keys := adversary(n)
		emit(out, keys)
		for i := range keys {
			keys[i] /= 8 // the same bad order, with ties
		}
		emit(out, keys)
	}
}

// adversary returns keys on which Go's pdqsort makes bad pivots and breaks patterns: McIlroy's
// "A killer adversary for quicksort" (1999), which gives values as they are compared.
func adversary(n int) []int {
	gas := n
	val := make([]int, n)
	pos := make([]int, n)
	for i := range val {
		val[i], pos[i] = gas, i
	}
	solid, candidate := 0, 0
	slices.SortFunc(pos, func(x, y int) int {
		if val[x] == gas && val[y] == gas {
			if x == candidate {
				val[x], solid = solid, solid+1
			} else {
				val[y], solid = solid, solid+1
			}
		}
		if val[x] == gas {
			candidate = x
		} else if val[y] == gas {
			candidate = y
		}
		return val[x] - val[y]
	})
	return val
}

func emit(out *bufio.Writer, keys []int) {
	items := make([]item, len(keys))
	for i, k := range keys {
		items[i] = item{k, i}
	}
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.key, b.key) })
	ks, ps := make([]string, len(keys)), make([]string, len(keys))
	for i := range keys {
		ks[i] = fmt.Sprint(keys[i])
		ps[i] = fmt.Sprint(items[i].pos)
	}
	fmt.Fprintf(out, "%s | %s\n", strings.Join(ks, " "), strings.Join(ps, " "))
}
