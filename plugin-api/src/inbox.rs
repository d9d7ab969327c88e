//! A plugin's bounded event queue: filled by `deliver` on the publishers'
//! threads, emptied by the plugin's own thread.
//!
//! The plugin's thread takes everything queued in one step (the two sides
//! swap buffers under one short lock) and handles that batch without
//! touching the lock again, and a publisher wakes it only when it finds the
//! queue empty: one wake-up per batch rather than per event. (A
//! `tokio::sync::mpsc` channel of envelopes cost a wake-up and a lock of
//! its semaphore per event, and allocated its slots 32 envelopes at a
//! time; a profile of the bus benchmark put that first on both threads.)
//!
//! Invariants:
//! - at most `capacity` events wait: pushed and not yet taken by
//!   [`Inbox::pop`] (an event of a batch the plugin's thread holds but has
//!   not reached still counts), so the bound and [`Inbox::depth`] mean what
//!   they meant with the channel;
//! - events leave in the order they were pushed;
//! - a push that finds the queue empty notifies the plugin's thread, which
//!   waits only after finding the queue empty under the lock: no wake-up is
//!   lost;
//! - once the plugin's thread is gone ([`Inbox::close`]), pushes fail with
//!   [`Refused::Closed`] and what was queued is dropped.

use std::{
    collections::VecDeque,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicUsize, Ordering},
    },
};

use tokio::sync::Notify;

/// Why [`Inbox::push`] gave the item back.
pub(crate) enum Refused<T> {
    Full(T),
    Closed(T),
}

pub(crate) struct Inbox<T> {
    shared: Mutex<Shared<T>>,
    /// Events pushed and not yet popped, in the batch or still shared.
    waiting: AtomicUsize,
    capacity: usize,
    ready: Notify,
}

struct Shared<T> {
    queue: VecDeque<T>,
    closed: bool,
}

impl<T> Inbox<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            // Buffers grow to the peak in use rather than to `capacity`:
            // an idle plugin holds none.
            shared: Mutex::new(Shared {
                queue: VecDeque::new(),
                closed: false,
            }),
            waiting: AtomicUsize::new(0),
            capacity: capacity.max(1),
            ready: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared<T>> {
        // Nothing panics while holding the lock but a failed allocation,
        // after which the queue is still whole.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The events waiting now.
    pub(crate) fn depth(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Queues `item` without blocking; returns the depth after it.
    /// Refused, the item comes back in the error. Inlined, so that the
    /// item is copied once, from the caller's argument into the queue.
    #[inline(always)]
    pub(crate) fn push(&self, item: T) -> Result<usize, Refused<Option<T>>> {
        let mut shared = self.lock();
        if shared.closed {
            return Err(Refused::Closed(Some(item)));
        }
        // Only pops run concurrently (under the lock pushes are one at a
        // time), so the count read here is never below the true one.
        let waiting = self.waiting.load(Ordering::Acquire);
        if waiting >= self.capacity {
            return Err(Refused::Full(Some(item)));
        }
        shared.queue.push_back(item);
        let was_empty = shared.queue.len() == 1;
        self.waiting.fetch_add(1, Ordering::Release);
        drop(shared);
        if was_empty {
            self.ready.notify_one();
        }
        Ok(waiting + 1)
    }

    /// Marks the receiving end gone and drops what was queued.
    pub(crate) fn close(&self) {
        let queued = {
            let mut shared = self.lock();
            shared.closed = true;
            std::mem::take(&mut shared.queue)
        };
        self.waiting.fetch_sub(queued.len(), Ordering::Release);
        // Dropped outside the lock: an envelope's buffers are freed through
        // the library that made them.
        drop(queued);
    }
}

/// The receiving end, on the plugin's thread: the batch it took, and the
/// queue. Closes the queue when dropped.
pub(crate) struct Receiver<T> {
    inbox: std::sync::Arc<Inbox<T>>,
    batch: VecDeque<T>,
}

impl<T> Receiver<T> {
    pub(crate) fn new(inbox: std::sync::Arc<Inbox<T>>) -> Self {
        Self {
            inbox,
            batch: VecDeque::new(),
        }
    }

    /// The next event if one is queued, without waiting.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.batch.is_empty() {
            let mut shared = self.inbox.lock();
            // The emptied batch's buffer becomes the shared queue's.
            std::mem::swap(&mut shared.queue, &mut self.batch);
        }
        let item = self.batch.pop_front()?;
        self.inbox.waiting.fetch_sub(1, Ordering::Release);
        Some(item)
    }

    /// The next event, waiting for one. Cancel-safe: nothing is taken
    /// unless it is returned.
    pub(crate) async fn recv(&mut self) -> T {
        loop {
            if let Some(item) = self.pop() {
                return item;
            }
            // Registered before the check: a push in between, which found
            // the queue empty, has stored its notification.
            let inbox = self.inbox.clone();
            let ready = inbox.ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            if let Some(item) = self.pop() {
                return item;
            }
            ready.await;
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.inbox.close();
        let held = std::mem::take(&mut self.batch);
        self.inbox.waiting.fetch_sub(held.len(), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn bounded_fifo_counting_the_batch_in_hand() {
        let inbox = Arc::new(Inbox::new(3));
        let mut rx = Receiver::new(inbox.clone());
        for i in 0..3 {
            assert_eq!(inbox.push(i).ok(), Some(i + 1));
        }
        assert!(matches!(inbox.push(9), Err(Refused::Full(Some(9)))));
        assert_eq!(rx.pop(), Some(0));
        // Two are in the batch the receiver holds: they still count.
        assert_eq!(inbox.depth(), 2);
        assert_eq!(inbox.push(3).ok(), Some(3));
        assert!(matches!(inbox.push(9), Err(Refused::Full(Some(9)))));
        assert_eq!((rx.pop(), rx.pop(), rx.pop()), (Some(1), Some(2), Some(3)));
        assert_eq!((rx.pop(), inbox.depth()), (None, 0));
    }

    #[test]
    fn a_push_from_another_thread_wakes_the_waiting_receiver() {
        let inbox = Arc::new(Inbox::new(1024));
        let mut rx = Receiver::new(inbox.clone());
        runtime().block_on(async {
            let pusher = {
                let inbox = inbox.clone();
                std::thread::spawn(move || {
                    for i in 0..10_000u32 {
                        while inbox.push(i).is_err() {
                            std::thread::yield_now();
                        }
                        if i % 1000 == 0 {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                })
            };
            for i in 0..10_000u32 {
                let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                    .await
                    .expect("woken");
                assert_eq!(got, i);
            }
            pusher.join().unwrap();
        });
        assert_eq!(inbox.depth(), 0);
    }

    #[test]
    fn once_the_receiver_is_gone_pushes_are_refused_and_the_queue_dropped() {
        let inbox = Arc::new(Inbox::new(4));
        let rx = Receiver::new(inbox.clone());
        let held = Arc::new(());
        inbox.push(held.clone()).ok().unwrap();
        drop(rx);
        assert!(matches!(inbox.push(held.clone()), Err(Refused::Closed(_))));
        assert_eq!(Arc::strong_count(&held), 1, "the queued item was dropped");
        assert_eq!(inbox.depth(), 0);
    }
}
