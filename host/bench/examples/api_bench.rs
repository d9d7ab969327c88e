//! API round-trip benchmark: `io.nipart.Daemon.Ping` round trips per second
//! and p50/p99 latency on one connection and over 16, beside a raw UNIX
//! socket echo of the same bytes measured in the same run (the baseline).
//!
//! Run: `cargo run --release -p nipart-bench --example api_bench [-- ROUND_TRIPS]`
//!
//! Both servers run in this process, each on a single-threaded tokio
//! runtime on a thread of its own (the daemon's API runtime, and an echo
//! server built the same way); both are driven by the same blocking client
//! code (one thread per connection), so the ratio is
//! the cost of the varlink server (parse, dispatch, encode) over moving the
//! bytes. A third row times the `nipart-client` library on one connection.
//! Targets (issue 3): at least 0.5x the echo on one connection, p50 at most
//! 25 us.

use std::{
    io::{Read, Write},
    os::unix::net::UnixStream,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use nipartd::{
    DaemonConfig, Lifecycle,
    api::{BoundApi, DaemonView},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PING: &[u8] = b"{\"method\":\"io.nipart.Daemon.Ping\"}\0";

struct Stats {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One blocking round trip: send `msg`, read up to and including a NUL.
fn round_trip(s: &mut UnixStream, msg: &[u8], buf: &mut [u8]) -> std::io::Result<()> {
    s.write_all(msg)?;
    loop {
        let n = s.read(buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if buf[..n].contains(&0) {
            return Ok(());
        }
    }
}

/// `total` round trips spread over `conns` connections (one thread each).
fn measure(socket: &Path, conns: usize, total: usize) -> Result<Stats, String> {
    let per = total / conns;
    let start_line = std::sync::Barrier::new(conns + 1);
    let (results, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..conns)
            .map(|_| {
                let start_line = &start_line;
                scope.spawn(move || -> Result<Vec<Duration>, String> {
                    let mut s = UnixStream::connect(socket).map_err(|e| e.to_string())?;
                    let mut buf = vec![0u8; 4096];
                    for _ in 0..200 {
                        round_trip(&mut s, PING, &mut buf).map_err(|e| e.to_string())?;
                    }
                    let mut lat = Vec::with_capacity(per);
                    start_line.wait();
                    for _ in 0..per {
                        let t = Instant::now();
                        round_trip(&mut s, PING, &mut buf).map_err(|e| e.to_string())?;
                        lat.push(t.elapsed());
                    }
                    Ok(lat)
                })
            })
            .collect();
        start_line.wait();
        let t = Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a client thread panicked".into()))
            })
            .collect();
        (results, t.elapsed())
    });
    let mut all = Vec::with_capacity(total);
    for r in results {
        all.extend(r?);
    }
    all.sort_unstable();
    Ok(Stats {
        per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
    })
}

/// The baseline: echoes every NUL-terminated frame back, on a runtime
/// built like the API's.
fn start_echo(path: PathBuf) -> Result<std::sync::mpsc::Sender<()>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listener = std::os::unix::net::UnixListener::bind(&path).map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        rt.block_on(async move {
            let accept = async move {
                let Ok(listener) = tokio::net::UnixListener::from_std(listener) else {
                    return;
                };
                while let Ok((mut s, _)) = listener.accept().await {
                    tokio::spawn(async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        let mut pending: Vec<u8> = Vec::new();
                        loop {
                            let n = match s.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            pending.extend_from_slice(&buf[..n]);
                            if let Some(last) = pending.iter().rposition(|&b| b == 0) {
                                let out: Vec<u8> = pending.drain(..=last).collect();
                                if s.write_all(&out).await.is_err() {
                                    return;
                                }
                            }
                        }
                    });
                }
            };
            let stop = tokio::task::spawn_blocking(move || {
                let _ = stop_rx.recv();
            });
            tokio::select! {
                _ = accept => {}
                _ = stop => {}
            }
        });
    });
    Ok(stop_tx)
}

fn client_library_ping(socket: &Path, n: usize) -> Result<Stats, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut c = nipart_client::Client::connect(socket)
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..200 {
            c.ping().await.map_err(|e| e.to_string())?;
        }
        let mut lat = Vec::with_capacity(n);
        let t0 = Instant::now();
        for _ in 0..n {
            let t = Instant::now();
            c.ping().await.map_err(|e| e.to_string())?;
            lat.push(t.elapsed());
        }
        let el = t0.elapsed();
        lat.sort_unstable();
        Ok(Stats {
            per_sec: n as f64 / el.as_secs_f64(),
            p50: percentile(&lat, 0.5),
            p99: percentile(&lat, 0.99),
        })
    })
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn main() -> Result<(), String> {
    let total: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().map_err(|e| format!("ROUND_TRIPS: {e}")))
        .transpose()?
        .unwrap_or(40_000);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).map_err(|e| e.to_string())?;
    let mut config = DaemonConfig {
        plugin_dir: plugins,
        log_level: "warn".into(),
        ..Default::default()
    };
    config.api.socket = dir.path().join("nipart.sock");
    config.api.max_connections_per_uid = 256;
    let socket = config.api.socket.clone();
    let bound = BoundApi::bind(&config.api)?;
    let lifecycle = Lifecycle::start(config).map_err(|e| e.to_string())?;
    let api = bound.serve(DaemonView::from_lifecycle(&lifecycle, None))?;
    let echo_path = dir.path().join("echo.sock");
    let stop_echo = start_echo(echo_path.clone())?;

    println!(
        "API round trips: {total} Ping calls per row ({} bytes each way for the echo)",
        PING.len()
    );
    println!();
    println!(
        "| {:<26} | {:>12} | {:>9} | {:>9} | {:>14} |",
        "case", "round trips/s", "p50 us", "p99 us", "vs raw echo"
    );
    println!(
        "|{:-<28}|{:->14}|{:->11}|{:->11}|{:->16}|",
        "", "", "", "", ""
    );
    let mut verdicts = Vec::new();
    for conns in [1usize, 16] {
        let echo = measure(&echo_path, conns, total)?;
        let api_stats = measure(&socket, conns, total)?;
        let ratio = api_stats.per_sec / echo.per_sec;
        println!(
            "| {:<26} | {:>12.0} | {:>9} | {:>9} | {:>14} |",
            format!("raw echo, {conns} conn"),
            echo.per_sec,
            us(echo.p50),
            us(echo.p99),
            "1.00x"
        );
        println!(
            "| {:<26} | {:>12.0} | {:>9} | {:>9} | {:>14} |",
            format!("varlink Ping, {conns} conn"),
            api_stats.per_sec,
            us(api_stats.p50),
            us(api_stats.p99),
            format!("{ratio:.2}x")
        );
        if conns == 1 {
            verdicts.push(format!(
                "one connection: {ratio:.2}x the raw echo (target >= 0.50x): {}",
                if ratio >= 0.5 { "met" } else { "MISSED" }
            ));
            verdicts.push(format!(
                "one connection: p50 {} us (target <= 25 us): {}",
                us(api_stats.p50),
                if api_stats.p50 <= Duration::from_micros(25) {
                    "met"
                } else {
                    "MISSED"
                }
            ));
        }
    }
    let lib = client_library_ping(&socket, total / 2)?;
    println!(
        "| {:<26} | {:>12.0} | {:>9} | {:>9} | {:>14} |",
        "nipart-client ping, 1 conn",
        lib.per_sec,
        us(lib.p50),
        us(lib.p99),
        "-"
    );
    println!();
    for v in verdicts {
        println!("{v}");
    }
    api.stop();
    lifecycle.shutdown();
    let _ = stop_echo.send(());
    Ok(())
}
