// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

extension MutableCollection where Self: RandomAccessCollection, Element: Comparable, Index == Int {
    /// The element that would be at `k` (0-based) if the collection were sorted, found by quickselect (Hoare partition
    /// about a median of three: expected linear time, and equal elements split evenly), reordering the collection.
    /// The noise readings take medians of millions of coefficients on a whole photo, where a full sort took 1.4 s of
    /// a 12 MP reading. Falls back to sorting what is left after 64 rounds, so the worst case stays n log n. nil when
    /// `k` is not an index.
    mutating func selectKthSmallest(_ k: Int) -> Element? {
        guard indices.contains(k) else { return nil }
        var low = startIndex, high = endIndex - 1
        var rounds = 0
        while low < high {
            rounds += 1
            if rounds > 64 {
                self[low...high].sort()
                return self[k]
            }
            let middle = low + (high - low) / 2
            if self[middle] < self[low] { swapAt(middle, low) }
            if self[high] < self[low] { swapAt(high, low) }
            if self[high] < self[middle] { swapAt(high, middle) }
            let pivot = self[middle]
            var i = low, j = high
            while i <= j {
                while self[i] < pivot { i += 1 }
                while pivot < self[j] { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now [low, j] <= pivot <= [i, high], and what lies between equals the pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return self[k]
            }
        }
        return self[k]
    }
}
