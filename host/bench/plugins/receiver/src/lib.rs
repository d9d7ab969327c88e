//! `bench-receiver`: decodes each `bench.data` event, records its latency
//! (`CLOCK_MONOTONIC` now minus the sender's `sent_ns`), returns credit to
//! the sender every `ack_every` events, and reports on `bench.report`.

use nipart_plugin_api::{Address, Context, Event, Plugin, Result};

#[path = "../../proto.rs"]
mod proto;

use proto::{Ack, Latency, LinkEvent, ReceiverReport, Reset};

struct Receiver {
    run: u64,
    ack_every: u32,
    unacked: u32,
    next_seq: u64,
    report: ReceiverReport,
    latencies: Vec<u64>,
    cpu_at_reset: u64,
}

impl Plugin for Receiver {
    const NAME: &'static str = proto::RECEIVER;
    const DESCRIPTION: &'static str = "nipart bus benchmark: the receiving side";

    fn new() -> Result<Self> {
        Ok(Receiver {
            run: 0,
            ack_every: 1,
            unacked: 0,
            next_seq: 0,
            report: ReceiverReport::default(),
            latencies: Vec::new(),
            cpu_at_reset: 0,
        })
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match event.topic.as_str() {
            proto::TOPIC_DATA => {
                let data: LinkEvent = event.json()?;
                let now = proto::now_ns();
                if self.report.received == 0 {
                    self.report.first_ns = now;
                }
                self.report.last_ns = now;
                self.report.received += 1;
                if data.seq != self.next_seq {
                    self.report.unexpected += 1;
                }
                self.next_seq = data.seq + 1;
                self.latencies.push(now.saturating_sub(data.sent_ns));
                self.unacked += 1;
                if self.unacked >= self.ack_every {
                    let n = std::mem::take(&mut self.unacked);
                    ctx.publish(
                        Event::new(proto::TOPIC_ACK, Address::plugin(proto::SENDER))
                            .with_json(&Ack { run: self.run, n })?,
                    )?;
                }
                Ok(())
            }
            proto::TOPIC_RESET => {
                let reset: Reset = event.json()?;
                self.run = reset.run;
                self.ack_every = reset.ack_every.max(1);
                self.unacked = 0;
                self.next_seq = 0;
                self.report = ReceiverReport {
                    run: reset.run,
                    ..ReceiverReport::default()
                };
                self.latencies = Vec::with_capacity(reset.count as usize);
                self.cpu_at_reset = proto::thread_cpu_ns();
                ctx.reply(&event, &())
            }
            proto::TOPIC_REPORT => {
                let run: u64 = event.json()?;
                if run != self.run {
                    self.report.unexpected += 1;
                }
                self.report.cpu_ns = proto::thread_cpu_ns() - self.cpu_at_reset;
                self.report.latency = Latency::of(&mut self.latencies);
                ctx.reply(&event, &self.report)
            }
            _ => Ok(()),
        }
    }
}

nipart_plugin_api::register_plugin!(Receiver);
nipart_plugin_api::export_plugins!();
