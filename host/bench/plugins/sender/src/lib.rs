//! `bench-sender`: on a `bench.run` request, publishes `count` JSON events to
//! `bench-receiver` through the bus, with at most `window` in flight (the
//! receiver's acknowledgements return credit), paced at `rate` events/s or
//! as fast as it can; then asks the receiver for its report and answers the
//! request with both sides' figures.

use std::{sync::Arc, time::Duration};

use nipart_plugin_api::{Address, Context, Error, ErrorKind, Event, Plugin, Result};
use tokio::sync::Semaphore;

#[path = "../../proto.rs"]
mod proto;

use proto::{Ack, LinkEvent, ReceiverReport, RunParams, RunReport};

struct Sender {
    /// The run in progress and its credit.
    current: Option<(u64, Arc<Semaphore>)>,
}

impl Plugin for Sender {
    const NAME: &'static str = proto::SENDER;
    const DESCRIPTION: &'static str = "nipart bus benchmark: the sending side";

    fn new() -> Result<Self> {
        Ok(Sender { current: None })
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match event.topic.as_str() {
            proto::TOPIC_RUN => {
                let params: RunParams = event.json()?;
                if params.window == 0 {
                    return Err(Error::invalid_input("window must be at least 1"));
                }
                let credit = Arc::new(Semaphore::new(params.window as usize));
                self.current = Some((params.run, credit.clone()));
                // Send from a task of our own, so that this handler returns
                // and the plugin goes on taking the receiver's acks.
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let answered = match run(&ctx, &params, &credit).await {
                        Ok(report) => ctx.reply(&event, &report),
                        Err(e) => ctx.reply_error(&event, &e),
                    };
                    if let Err(e) = answered {
                        eprintln!("bench-sender: answering the run request: {e}");
                    }
                });
                Ok(())
            }
            proto::TOPIC_ACK => {
                let ack: Ack = event.json()?;
                if let Some((run, credit)) = &self.current
                    && *run == ack.run
                {
                    credit.add_permits(ack.n as usize);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

async fn run(ctx: &Context, params: &RunParams, credit: &Semaphore) -> Result<RunReport> {
    let interval_ns = match params.rate {
        0 => 0,
        r => 1_000_000_000 / r,
    };
    let mut payload = LinkEvent::new();
    let mut publish_errors = 0;
    let cpu_at_start = proto::thread_cpu_ns();
    let start = proto::now_ns();
    for seq in 0..params.count {
        if interval_ns > 0 {
            proto::pace_until(start + seq * interval_ns).await;
        }
        match credit.try_acquire() {
            Ok(permit) => permit.forget(),
            Err(_) => credit
                .acquire()
                .await
                .map_err(|_| Error::other("the credit semaphore was closed"))?
                .forget(),
        }
        payload.seq = seq;
        payload.sent_ns = proto::now_ns();
        let event =
            Event::new(proto::TOPIC_DATA, Address::plugin(proto::RECEIVER)).with_json(&payload)?;
        if ctx.publish(event).is_err() {
            publish_errors += 1;
        }
    }
    let last_send_ns = proto::now_ns();
    let cpu_ns = proto::thread_cpu_ns() - cpu_at_start;
    let report = ctx
        .request(
            Event::new(proto::TOPIC_REPORT, Address::plugin(proto::RECEIVER))
                .with_json(&params.run)?,
            Duration::from_secs(60),
        )
        .await?;
    let receiver: ReceiverReport = report.json()?;
    if receiver.run != params.run {
        return Err(Error::new(
            ErrorKind::Failed,
            format!(
                "the receiver reported run {} instead of {}",
                receiver.run, params.run
            ),
        ));
    }
    Ok(RunReport {
        sent: params.count,
        first_send_ns: start,
        last_send_ns,
        publish_errors,
        cpu_ns,
        receiver,
    })
}

nipart_plugin_api::register_plugin!(Sender);
nipart_plugin_api::export_plugins!();
