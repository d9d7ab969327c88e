// SPDX-License-Identifier: MIT

#[cfg(test)]
mod display;
#[cfg(test)]
mod ipv4;
#[cfg(test)]
mod ipv6;
