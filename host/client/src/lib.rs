//! Client library for the nipart public API (in progress).
