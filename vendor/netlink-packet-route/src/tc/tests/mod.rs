// SPDX-License-Identifier: MIT

#[cfg(test)]
mod filter_bpf;
#[cfg(test)]
mod filter_flower;
#[cfg(test)]
mod filter_matchall;
#[cfg(test)]
mod filter_u32;
#[cfg(test)]
mod qdisc_fq_codel;
#[cfg(test)]
mod qdisc_ingress;
