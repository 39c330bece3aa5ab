#pragma once
// A skip list with one writer and lock-free readers (the design of LevelDB's memtable).
//
// Invariants: nodes are never deleted while the list lives (the arena frees them together);
// a node is fully built before it is published with a release store, and readers follow links
// with acquire loads, so a reader sees either the old list or the new node complete.
// Insert needs external synchronisation (the memtable's single writer); readers need none.

#include <atomic>
#include <cassert>
#include <cstdint>

#include "stemedb/storage/arena.h"

namespace stemedb::storage {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  SkipList(Comparator cmp, Arena* arena) : compare_(cmp), arena_(arena), head_(NewNode(Key(), kMaxHeight)) {
    for (int i = 0; i < kMaxHeight; ++i) head_->SetNext(i, nullptr);
  }
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // REQUIRES: nothing equal to key is in the list; external synchronisation among writers.
  void Insert(const Key& key) {
    Node* prev[kMaxHeight];
    Node* x = FindGreaterOrEqual(key, prev);
    assert(x == nullptr || !Equal(key, x->key));
    (void)x;
    int height = RandomHeight();
    int old_height = max_height_.load(std::memory_order_relaxed);
    if (height > old_height) {
      for (int i = old_height; i < height; ++i) prev[i] = head_;
      // A reader that sees the new height before the node only finds head_ links to nullptr
      // at the new levels, which is a valid (empty) level.
      max_height_.store(height, std::memory_order_relaxed);
    }
    Node* n = NewNode(key, height);
    for (int i = 0; i < height; ++i) {
      n->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
      prev[i]->SetNext(i, n);  // publishes n at level i
    }
  }

  bool Contains(const Key& key) const {
    Node* x = FindGreaterOrEqual(key, nullptr);
    return x != nullptr && Equal(key, x->key);
  }

  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    const Key& key() const { return node_->key; }
    void Next() { node_ = node_->Next(0); }
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;

  struct Node {
    explicit Node(const Key& k) : key(k) {}
    const Key key;
    Node* Next(int n) { return Link(n)->load(std::memory_order_acquire); }
    void SetNext(int n, Node* x) { Link(n)->store(x, std::memory_order_release); }
    Node* NoBarrierNext(int n) { return Link(n)->load(std::memory_order_relaxed); }
    void NoBarrierSetNext(int n, Node* x) { Link(n)->store(x, std::memory_order_relaxed); }

    // Links past the first live in memory allocated beyond the struct (see NewNode); pointer
    // arithmetic rather than indexing keeps bounds checkers honest.
    std::atomic<Node*>* Link(int n) { return &next_ + n; }
    std::atomic<Node*> next_;
  };

  Node* NewNode(const Key& key, int height) {
    char* mem = arena_->AllocateAligned(sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1));
    Node* n = new (mem) Node(key);
    for (int i = 1; i < height; ++i) new (&n->next_ + i) std::atomic<Node*>(nullptr);
    return n;
  }

  int RandomHeight() {
    // Branching factor 4: each level holds about a quarter of the one below.
    int height = 1;
    while (height < kMaxHeight && (NextRandom() & 3) == 0) ++height;
    return height;
  }

  uint32_t NextRandom() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 17;
    rng_ ^= rng_ << 5;
    return rng_;
  }

  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }

  // The first node >= key; fills prev[level] with the last node < key at each level.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    for (;;) {
      Node* next = x->Next(level);
      if (next != nullptr && compare_(next->key, key) < 0) {
        x = next;
      } else {
        if (prev != nullptr) prev[level] = x;
        if (level == 0) return next;
        --level;
      }
    }
  }

  Comparator const compare_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_{1};
  uint32_t rng_ = 0xdeadbeef;
};

}  // namespace stemedb::storage
