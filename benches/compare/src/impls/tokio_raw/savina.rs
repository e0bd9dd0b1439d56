//! The Savina programs by hand with tokio tasks and unbounded channels.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;

use super::micro::join_all;
use crate::check::{Check, big_check};
use crate::measure::Pass;
use crate::savina::{
    BigTally, DATA_LIMIT, DictionaryRequest, Lcg16, dictionary_seed, fork_join_work,
    trapezoid_interval, trapezoid_share,
};

enum PingMsg {
    Start,
    Pong,
    Continue,
}

enum PongMsg {
    Ping(UnboundedSender<PingMsg>),
    Stop,
}

pub(super) async fn ping_pong(pings: u64) -> Pass {
    let started = Instant::now();
    let (ping_tx, mut ping_rx) = unbounded_channel();
    let (pong_tx, mut pong_rx) = unbounded_channel::<PongMsg>();
    let pong = tokio::spawn(async move {
        let mut received = 0u64;
        while let Some(msg) = pong_rx.recv().await {
            match msg {
                PongMsg::Ping(reply_to) => {
                    received += 1;
                    let _ = reply_to.send(PingMsg::Pong);
                }
                PongMsg::Stop => break,
            }
        }
        received
    });
    let me = ping_tx.clone();
    let ping = tokio::spawn(async move {
        let (mut left, mut pongs) = (pings, 0u64);
        while let Some(msg) = ping_rx.recv().await {
            match msg {
                PingMsg::Start | PingMsg::Continue => {
                    let _ = pong_tx.send(PongMsg::Ping(me.clone()));
                    left -= 1;
                }
                PingMsg::Pong => {
                    pongs += 1;
                    if left > 0 {
                        let _ = me.send(PingMsg::Continue);
                    } else {
                        let _ = pong_tx.send(PongMsg::Stop);
                        break;
                    }
                }
            }
        }
        pongs
    });
    let _ = ping_tx.send(PingMsg::Start);
    drop(ping_tx);
    let pongs = ping.await.expect("ping stops");
    let received = pong.await.expect("pong stops");
    Pass::new(
        started.elapsed(),
        Check::new().int("pings", received).int("pongs", pongs),
    )
}

enum CounterMsg {
    Increment,
    Retrieve(UnboundedSender<ProducerMsg>),
}

enum ProducerMsg {
    Go,
    Result(u64),
}

pub(super) async fn counting(increments: u64) -> Pass {
    let started = Instant::now();
    let (counter_tx, mut counter_rx) = unbounded_channel();
    let counter = tokio::spawn(async move {
        let mut count = 0u64;
        while let Some(msg) = counter_rx.recv().await {
            match msg {
                CounterMsg::Increment => count += 1,
                CounterMsg::Retrieve(reply_to) => {
                    let _ = reply_to.send(ProducerMsg::Result(count));
                    break;
                }
            }
        }
    });
    let (producer_tx, mut producer_rx) = unbounded_channel();
    let me = producer_tx.clone();
    let producer = tokio::spawn(async move {
        while let Some(msg) = producer_rx.recv().await {
            match msg {
                ProducerMsg::Go => {
                    for _ in 0..increments {
                        let _ = counter_tx.send(CounterMsg::Increment);
                    }
                    let _ = counter_tx.send(CounterMsg::Retrieve(me.clone()));
                }
                ProducerMsg::Result(count) => return count,
            }
        }
        0
    });
    let _ = producer_tx.send(ProducerMsg::Go);
    drop(producer_tx);
    let count = producer.await.expect("the producer stops");
    counter.await.expect("the counter stops");
    Pass::new(started.elapsed(), Check::new().int("count", count))
}

pub(super) async fn fj_create(actors: u64) -> Pass {
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(actors as usize);
    for _ in 0..actors {
        let (tx, mut rx) = unbounded_channel::<()>();
        tasks.push(tokio::spawn(async move {
            let handled = rx.recv().await.map(|()| fork_join_work());
            u64::from(handled.is_some())
        }));
        let _ = tx.send(());
    }
    let handled = join_all(tasks).await;
    let check = Check::new()
        .int("started", handled.len())
        .int("handled", handled.iter().sum::<u64>())
        .int("stopped", handled.len());
    Pass::new(started.elapsed(), check)
}

enum BigMsg {
    Ping(usize),
    Pong(Option<usize>),
    Exit,
}

async fn big_worker(
    id: usize,
    pings: u64,
    mut rx: UnboundedReceiver<BigMsg>,
    peers: Arc<Vec<UnboundedSender<BigMsg>>>,
    sink: UnboundedSender<()>,
) -> BigTally {
    let mut rng = Lcg16::new(id as u64);
    let mut tally = BigTally::default();
    while let Some(msg) = rx.recv().await {
        match msg {
            BigMsg::Ping(from) => {
                tally.received += 1;
                let _ = peers[from].send(BigMsg::Pong(Some(id)));
            }
            BigMsg::Pong(from) => {
                tally.pongs += u64::from(from.is_some());
                if tally.sent == pings {
                    let _ = sink.send(());
                    continue;
                }
                let target = rng.next_below(peers.len() as i64) as usize;
                tally.ping_sent(id, target);
                let _ = peers[target].send(BigMsg::Ping(id));
            }
            BigMsg::Exit => break,
        }
    }
    tally
}

pub(super) async fn big(workers: usize, pings: u64) -> Pass {
    let started = Instant::now();
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..workers).map(|_| unbounded_channel()).unzip();
    let peers = Arc::new(txs);
    let (sink_tx, mut sink_rx) = unbounded_channel::<()>();
    let sink_peers = peers.clone();
    let sink = tokio::spawn(async move {
        let mut exits = 0;
        while sink_rx.recv().await.is_some() {
            exits += 1;
            if exits == workers {
                for peer in sink_peers.iter() {
                    let _ = peer.send(BigMsg::Exit);
                }
                break;
            }
        }
    });
    let tasks: Vec<_> = rxs
        .into_iter()
        .enumerate()
        .map(|(id, rx)| tokio::spawn(big_worker(id, pings, rx, peers.clone(), sink_tx.clone())))
        .collect();
    drop(sink_tx);
    for peer in peers.iter() {
        let _ = peer.send(BigMsg::Pong(None));
    }
    drop(peers);
    let tallies = join_all(tasks).await;
    sink.await.expect("the sink stops");
    Pass::new(started.elapsed(), big_check(&tallies))
}

enum DictMsg {
    Request(usize, DictionaryRequest),
    End,
}

async fn dictionary_actor(
    mut rx: UnboundedReceiver<DictMsg>,
    workers: Vec<UnboundedSender<Option<i64>>>,
) -> Check {
    // Savina builds the initial map in the dictionary's constructor: timed.
    let mut map: HashMap<i64, i64> = (0..DATA_LIMIT).map(|k| (k, k)).collect();
    let (mut writes, mut reads, mut write_sum, mut read_key_sum) = (0i64, 0i64, 0i64, 0i64);
    while let Some(msg) = rx.recv().await {
        let (from, answer) = match msg {
            DictMsg::Request(from, DictionaryRequest::Write { key, value }) => {
                writes += 1;
                write_sum += key + value;
                map.insert(key, value);
                (from, Some(value))
            }
            DictMsg::Request(from, DictionaryRequest::Read { key }) => {
                reads += 1;
                read_key_sum += key;
                (from, map.get(&key).copied())
            }
            DictMsg::End => break,
        };
        let _ = workers[from].send(answer);
    }
    Check::new()
        .int("writes", writes)
        .int("reads", reads)
        .int("write_sum", write_sum)
        .int("read_key_sum", read_key_sum)
        .int("size", map.len())
}

pub(super) async fn dictionary(workers: usize, requests: u64, write_percent: u32) -> Pass {
    let started = Instant::now();
    let (dict_tx, dict_rx) = unbounded_channel();
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..workers).map(|_| unbounded_channel()).unzip();
    let dictionary = tokio::spawn(dictionary_actor(dict_rx, txs.clone()));
    let (end_tx, mut master_rx) = unbounded_channel::<()>();
    for (index, mut rx) in rxs.into_iter().enumerate() {
        let (dict, end) = (dict_tx.clone(), end_tx.clone());
        tokio::spawn(async move {
            let mut rng = Lcg16::new(dictionary_seed(index, requests, write_percent));
            // The loop's first turn is the DoWork kick-off.
            let mut count = 0u64;
            loop {
                count += 1;
                if count > requests {
                    let _ = end.send(());
                    return;
                }
                let request = DictionaryRequest::draw(&mut rng, write_percent);
                let _ = dict.send(DictMsg::Request(index, request));
                if rx.recv().await.is_none() {
                    return;
                }
            }
        });
    }
    drop(end_tx);
    // The master: after every worker's End, End to the dictionary.
    let mut ended = 0;
    while ended < workers && master_rx.recv().await.is_some() {
        ended += 1;
    }
    drop(txs);
    let _ = dict_tx.send(DictMsg::End);
    let check = dictionary.await.expect("the dictionary stops");
    Pass::new(started.elapsed(), check)
}

pub(super) async fn trapezoid(pieces: u64, workers: usize, left: f64, right: f64) -> Pass {
    let started = Instant::now();
    let (result_tx, mut result_rx) = unbounded_channel::<(f64, u64)>();
    let mut tasks = Vec::with_capacity(workers);
    for index in 0..workers {
        let (work_tx, work_rx) = oneshot::channel::<(f64, f64, f64)>();
        let out = result_tx.clone();
        tasks.push(tokio::spawn(async move {
            if let Ok((wl, wr, h)) = work_rx.await {
                let _ = out.send(trapezoid_share(wl, wr, h));
            }
        }));
        let _ = work_tx.send(trapezoid_interval(index, workers, pieces, left, right));
    }
    drop(result_tx);
    let (mut area, mut evaluated) = (0.0, 0u64);
    for _ in 0..workers {
        let Some((share, n)) = result_rx.recv().await else {
            break;
        };
        area += share;
        evaluated += n;
    }
    join_all(tasks).await;
    Pass::new(
        started.elapsed(),
        Check::new().float("area", area).int("pieces", evaluated),
    )
}
