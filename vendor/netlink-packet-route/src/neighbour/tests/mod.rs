// SPDX-License-Identifier: MIT

#[cfg(test)]
mod bridge;
#[cfg(test)]
mod ip;
