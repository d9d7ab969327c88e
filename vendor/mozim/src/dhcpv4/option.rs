// SPDX-License-Identifier: Apache-2.0

use std::{cmp::Ordering, collections::HashMap, net::Ipv4Addr};

use super::msg::DhcpV4MessageType;
use crate::{Buffer, BufferMut, DhcpError, ErrorContext, ErrorKind};

/// DHCPv4 Option code(u8) defined by RFC 2132
#[derive(Debug, PartialEq, Clone, Copy, Eq, Hash)]
pub enum DhcpV4OptionCode {
    Pad,
    End,
    HostName,
    RequestedIpAddress,
    MessageType,
    /// Option Overload (RFC 2132 section 9.3)
    OptionOverload,
    ParameterRequestList,
    ClientIdentifier,
    RenewalTime,
    RebindingTime,
    InterfaceMtu,
    IpAddressLeaseTime,
    SubnetMask,
    BroadcastAddress,
    DomainNameServer,
    Router,
    NtpServers,
    DomainName,
    /// Classless Static Route (RFC 3442)
    ClasslessStaticRoute,
    /// Domain Search (RFC 3397)
    DomainSearch,
    ServerIdentifier,
    Message,
    Other(u8),
}

const CODE_PAD: u8 = 0;
const CODE_SUBNET_MASK: u8 = 1;
const CODE_ROUTER: u8 = 3;
const CODE_DOMAIN_NAME_SERVER: u8 = 6;
const CODE_HOST_NAME: u8 = 12;
const CODE_DOMAIN_NAME: u8 = 15;
const CODE_INTERFACE_MTU: u8 = 26;
const CODE_BROADCAST_ADDRESS: u8 = 28;
const CODE_NTP_SERVERS: u8 = 42;
const CODE_REQUESTED_IP_ADDRESS: u8 = 50;
const CODE_IP_ADDRESS_LEASE_TIME: u8 = 51;
const CODE_OPTION_OVERLOAD: u8 = 52;
const CODE_MESSAGE_TYPE: u8 = 53;
const CODE_SERVER_IDENTIFIER: u8 = 54;
const CODE_PARAMETER_REQUEST_LIST: u8 = 55;
const CODE_MESSAGE: u8 = 56;
const CODE_RENEWAL_TIME: u8 = 58;
const CODE_REBIND_TIME: u8 = 59;
const CODE_CLIENT_IDENTIFIER: u8 = 61;
const CODE_DOMAIN_SEARCH: u8 = 119;
const CODE_CLASSLESS_STATIC_ROUTE: u8 = 121;
const CODE_END: u8 = 255;

impl From<DhcpV4OptionCode> for u8 {
    fn from(v: DhcpV4OptionCode) -> u8 {
        match v {
            DhcpV4OptionCode::Pad => CODE_PAD,
            DhcpV4OptionCode::HostName => CODE_HOST_NAME,
            DhcpV4OptionCode::MessageType => CODE_MESSAGE_TYPE,
            DhcpV4OptionCode::OptionOverload => CODE_OPTION_OVERLOAD,
            DhcpV4OptionCode::ParameterRequestList => {
                CODE_PARAMETER_REQUEST_LIST
            }
            DhcpV4OptionCode::ClientIdentifier => CODE_CLIENT_IDENTIFIER,
            DhcpV4OptionCode::End => CODE_END,
            DhcpV4OptionCode::RequestedIpAddress => CODE_REQUESTED_IP_ADDRESS,
            DhcpV4OptionCode::ServerIdentifier => CODE_SERVER_IDENTIFIER,
            DhcpV4OptionCode::RenewalTime => CODE_RENEWAL_TIME,
            DhcpV4OptionCode::RebindingTime => CODE_REBIND_TIME,
            DhcpV4OptionCode::InterfaceMtu => CODE_INTERFACE_MTU,
            DhcpV4OptionCode::IpAddressLeaseTime => CODE_IP_ADDRESS_LEASE_TIME,
            DhcpV4OptionCode::SubnetMask => CODE_SUBNET_MASK,
            DhcpV4OptionCode::BroadcastAddress => CODE_BROADCAST_ADDRESS,
            DhcpV4OptionCode::DomainNameServer => CODE_DOMAIN_NAME_SERVER,
            DhcpV4OptionCode::Router => CODE_ROUTER,
            DhcpV4OptionCode::NtpServers => CODE_NTP_SERVERS,
            DhcpV4OptionCode::DomainName => CODE_DOMAIN_NAME,
            DhcpV4OptionCode::ClasslessStaticRoute => {
                CODE_CLASSLESS_STATIC_ROUTE
            }
            DhcpV4OptionCode::DomainSearch => CODE_DOMAIN_SEARCH,
            DhcpV4OptionCode::Message => CODE_MESSAGE,
            DhcpV4OptionCode::Other(d) => d,
        }
    }
}

impl From<u8> for DhcpV4OptionCode {
    fn from(d: u8) -> Self {
        match d {
            CODE_PAD => Self::Pad,
            CODE_HOST_NAME => Self::HostName,
            CODE_MESSAGE_TYPE => Self::MessageType,
            CODE_OPTION_OVERLOAD => Self::OptionOverload,
            CODE_PARAMETER_REQUEST_LIST => Self::ParameterRequestList,
            CODE_CLIENT_IDENTIFIER => Self::ClientIdentifier,
            CODE_END => Self::End,
            CODE_REQUESTED_IP_ADDRESS => Self::RequestedIpAddress,
            CODE_SERVER_IDENTIFIER => Self::ServerIdentifier,
            CODE_RENEWAL_TIME => Self::RenewalTime,
            CODE_REBIND_TIME => Self::RebindingTime,
            CODE_INTERFACE_MTU => Self::InterfaceMtu,
            CODE_IP_ADDRESS_LEASE_TIME => Self::IpAddressLeaseTime,
            CODE_SUBNET_MASK => Self::SubnetMask,
            CODE_BROADCAST_ADDRESS => Self::BroadcastAddress,
            CODE_DOMAIN_NAME_SERVER => Self::DomainNameServer,
            CODE_ROUTER => Self::Router,
            CODE_NTP_SERVERS => Self::NtpServers,
            CODE_DOMAIN_NAME => Self::DomainName,
            CODE_CLASSLESS_STATIC_ROUTE => Self::ClasslessStaticRoute,
            CODE_DOMAIN_SEARCH => Self::DomainSearch,
            CODE_MESSAGE => Self::Message,
            _ => Self::Other(d),
        }
    }
}

impl DhcpV4OptionCode {
    // Microsoft Classless Static Route Option, data format is identical to
    // RFC 3442: Classless Static Route Option(121)
    pub(crate) const MS_CLASSLESS_STATIC_ROUTE: Self = Self::Other(249);
}

/// DHCPv4 Option defined by RFC 2132
#[derive(Debug, PartialEq, Clone)]
pub enum DhcpV4Option {
    Pad,
    End,
    HostName(String),
    MessageType(DhcpV4MessageType),
    OptionOverload(u8),
    ParameterRequestList(Vec<DhcpV4OptionCode>),
    ClientIdentifier(Vec<u8>),
    RequestedIpAddress(Ipv4Addr),
    ServerIdentifier(Ipv4Addr),
    RenewalTime(u32),
    RebindingTime(u32),
    InterfaceMtu(u16),
    IpAddressLeaseTime(u32),
    SubnetMask(Ipv4Addr),
    BroadcastAddress(Ipv4Addr),
    DomainNameServer(Vec<Ipv4Addr>),
    Router(Vec<Ipv4Addr>),
    NtpServers(Vec<Ipv4Addr>),
    DomainName(String),
    ClasslessStaticRoute(Vec<DhcpV4ClasslessRoute>),
    DomainSearch(Vec<String>),
    Message(String),
    Unknown(DhcpV4OptionUnknown),
}

impl DhcpV4Option {
    pub fn code(&self) -> DhcpV4OptionCode {
        match self {
            Self::Pad => DhcpV4OptionCode::Pad,
            Self::End => DhcpV4OptionCode::End,
            Self::HostName(_) => DhcpV4OptionCode::HostName,
            Self::MessageType(_) => DhcpV4OptionCode::MessageType,
            Self::OptionOverload(_) => DhcpV4OptionCode::OptionOverload,
            Self::ParameterRequestList(_) => {
                DhcpV4OptionCode::ParameterRequestList
            }
            Self::ClientIdentifier(_) => DhcpV4OptionCode::ClientIdentifier,
            Self::ServerIdentifier(_) => DhcpV4OptionCode::ServerIdentifier,
            Self::RequestedIpAddress(_) => DhcpV4OptionCode::RequestedIpAddress,
            Self::RenewalTime(_) => DhcpV4OptionCode::RenewalTime,
            Self::RebindingTime(_) => DhcpV4OptionCode::RebindingTime,
            Self::InterfaceMtu(_) => DhcpV4OptionCode::InterfaceMtu,
            Self::IpAddressLeaseTime(_) => DhcpV4OptionCode::IpAddressLeaseTime,
            Self::SubnetMask(_) => DhcpV4OptionCode::SubnetMask,
            Self::DomainNameServer(_) => DhcpV4OptionCode::DomainNameServer,
            Self::Router(_) => DhcpV4OptionCode::Router,
            Self::NtpServers(_) => DhcpV4OptionCode::NtpServers,
            Self::DomainName(_) => DhcpV4OptionCode::DomainName,
            Self::ClasslessStaticRoute(_) => {
                DhcpV4OptionCode::ClasslessStaticRoute
            }
            Self::DomainSearch(_) => DhcpV4OptionCode::DomainSearch,
            Self::BroadcastAddress(_) => DhcpV4OptionCode::BroadcastAddress,
            Self::Message(_) => DhcpV4OptionCode::Message,
            Self::Unknown(v) => v.code.into(),
        }
    }

    /// Parse the already reassembled data of a DHCPv4 option.
    fn parse_data(
        code: DhcpV4OptionCode,
        data: &[u8],
    ) -> Result<Self, DhcpError> {
        let len = data.len();
        let mut opt_buf = Buffer::new(data);

        Ok(match code {
            DhcpV4OptionCode::Pad => Self::Pad,
            DhcpV4OptionCode::End => Self::End,
            DhcpV4OptionCode::HostName => Self::HostName(
                opt_buf
                    .get_string_with_null(len)
                    .context("Invalid DHCPv4 option for host name(12)")?,
            ),
            DhcpV4OptionCode::MessageType => Self::MessageType(
                opt_buf
                    .get_u8()
                    .context("Invalid DHCPv4 option for message type(53)")?
                    .try_into()?,
            ),
            DhcpV4OptionCode::OptionOverload => {
                if len != 1 {
                    return Err(DhcpError::new(
                        ErrorKind::InvalidDhcpMessage,
                        format!(
                            "Invalid DHCPv4 option overload(52) length {len}, \
                             should be 1"
                        ),
                    ));
                }
                let value = opt_buf
                    .get_u8()
                    .context("Invalid DHCPv4 option for option overload(52)")?;
                if !(1..=3).contains(&value) {
                    return Err(DhcpError::new(
                        ErrorKind::InvalidDhcpMessage,
                        format!(
                            "Invalid DHCPv4 option overload(52) value \
                             {value}, should be 1, 2 or 3"
                        ),
                    ));
                }
                Self::OptionOverload(value)
            }
            DhcpV4OptionCode::ParameterRequestList => {
                let opt_list_raw = opt_buf.get_bytes(len).context(
                    "Invalid DHCPv4 option for parameter request list",
                )?;

                let mut opt_list: Vec<DhcpV4OptionCode> =
                    Vec::with_capacity(len);
                for opt in opt_list_raw {
                    opt_list.push((*opt).into());
                }
                Self::ParameterRequestList(opt_list)
            }
            DhcpV4OptionCode::ClientIdentifier => Self::ClientIdentifier(
                opt_buf
                    .get_bytes(len)
                    .context("Invalid DHCPv4 option for client identifier(61)")?
                    .to_vec(),
            ),
            DhcpV4OptionCode::RequestedIpAddress => {
                Self::RequestedIpAddress(opt_buf.get_ipv4().context(
                    "Invalid DHCPv4 option for requested IP address(50)",
                )?)
            }
            DhcpV4OptionCode::ServerIdentifier => {
                Self::ServerIdentifier(opt_buf.get_ipv4().context(
                    "Invalid DHCPv4 option for server identifier(54)",
                )?)
            }
            DhcpV4OptionCode::RenewalTime => {
                Self::RenewalTime(opt_buf.get_u32_be().context(
                    "Invalid DHCPv4 option for renewal(T1) time(58)",
                )?)
            }
            DhcpV4OptionCode::RebindingTime => Self::RebindingTime(
                opt_buf
                    .get_u32_be()
                    .context("Invalid DHCPv4 option for rebind(T2) time(59)")?,
            ),
            DhcpV4OptionCode::InterfaceMtu => Self::InterfaceMtu(
                opt_buf
                    .get_u16_be()
                    .context("Invalid DHCPv4 option for interface MTU(26)")?,
            ),
            DhcpV4OptionCode::IpAddressLeaseTime => {
                Self::IpAddressLeaseTime(opt_buf.get_u32_be().context(
                    "Invalid DHCPv4 option for IP address lease time(51)",
                )?)
            }
            DhcpV4OptionCode::SubnetMask => Self::SubnetMask(
                opt_buf
                    .get_ipv4()
                    .context("Invalid DHCPv4 option for subnet mask(1)")?,
            ),
            DhcpV4OptionCode::BroadcastAddress => {
                Self::BroadcastAddress(opt_buf.get_ipv4().context(
                    "Invalid DHCPv4 option for broadcast address(28)",
                )?)
            }
            DhcpV4OptionCode::DomainNameServer => Self::DomainNameServer({
                let mut ret = Vec::new();
                for _ in 0..(len / 4_usize) {
                    ret.push(opt_buf.get_ipv4().context(
                        "Invalid DHCPv4 option for domain name server(6)",
                    )?);
                }
                ret
            }),
            DhcpV4OptionCode::Router => Self::Router({
                let mut ret = Vec::new();
                for _ in 0..(len / 4_usize) {
                    ret.push(
                        opt_buf
                            .get_ipv4()
                            .context("Invalid DHCPv4 option for router(3)")?,
                    );
                }
                ret
            }),
            DhcpV4OptionCode::NtpServers => Self::NtpServers({
                let mut ret = Vec::new();
                for _ in 0..(len / 4_usize) {
                    ret.push(opt_buf.get_ipv4().context(
                        "Invalid DHCPv4 option for NTP servers(42)",
                    )?);
                }
                ret
            }),
            DhcpV4OptionCode::DomainName => Self::DomainName(
                opt_buf
                    .get_string_with_null(len)
                    .context("Invalid DHCPv4 option for domain name(15)")?,
            ),
            DhcpV4OptionCode::ClasslessStaticRoute => {
                let raw = opt_buf.get_bytes(len).context(
                    "Invalid DHCPv4 option for classless static routes (121)",
                )?;
                Self::ClasslessStaticRoute({
                    DhcpV4ClasslessRoutes::parse(raw)?
                })
            }
            DhcpV4OptionCode::DomainSearch => Self::DomainSearch({
                let raw = opt_buf
                    .get_bytes(len)
                    .context("Invalid DHCPv4 option for domain search(119)")?;
                DhcpV4DomainSearch::parse(raw)?
            }),
            DhcpV4OptionCode::Message => Self::Message(
                opt_buf
                    .get_string_with_null(len)
                    .context("Invalid DHCPv4 option for message(56)")?,
            ),
            DhcpV4OptionCode::Other(d) => {
                let data = opt_buf
                    .get_bytes(len)
                    .context(format!("Invalid DHCPv4 option {d}"))?
                    .to_vec();
                Self::Unknown(DhcpV4OptionUnknown { code: d, data })
            }
        })
    }

    pub(crate) fn emit(&self, buf: &mut BufferMut) {
        buf.write_u8(self.code().into());
        match self {
            Self::Pad | Self::End => (),
            Self::HostName(s) | Self::DomainName(s) | Self::Message(s) => {
                // RFC 2132 section 2: the length octet covers the data
                // octets only, and NVT ASCII options SHOULD NOT carry a
                // trailing NULL.
                let mut data = s.as_bytes();
                if data.len() > u8::MAX as usize {
                    log::warn!(
                        "The value of DHCPv4 option {} has exceeded the \
                         maximum length {}, truncating: {s}",
                        u8::from(self.code()),
                        u8::MAX,
                    );
                    let mut end = u8::MAX as usize;
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    data = &data[..end];
                }
                buf.write_u8(data.len() as u8);
                buf.write_bytes(data);
            }
            Self::MessageType(t) => {
                buf.write_u8(1);
                buf.write_u8(*t as u8);
            }
            Self::OptionOverload(v) => {
                buf.write_u8(1);
                buf.write_u8(*v);
            }
            Self::ParameterRequestList(opts) => {
                buf.write_u8(opts.len() as u8);
                for opt in opts {
                    buf.write_u8(u8::from(*opt));
                }
            }
            Self::ClientIdentifier(id) => {
                buf.write_u8(id.len() as u8);
                buf.write_bytes(id.as_slice());
            }
            Self::RequestedIpAddress(ip)
            | Self::ServerIdentifier(ip)
            | Self::SubnetMask(ip)
            | Self::BroadcastAddress(ip) => {
                buf.write_u8(4);
                buf.write_ipv4(*ip);
            }
            Self::RenewalTime(v)
            | Self::RebindingTime(v)
            | Self::IpAddressLeaseTime(v) => {
                buf.write_u8(4);
                buf.write_u32_be(*v);
            }
            Self::InterfaceMtu(v) => {
                buf.write_u8(2);
                buf.write_u16_be(*v);
            }
            Self::DomainNameServer(ips)
            | Self::Router(ips)
            | Self::NtpServers(ips) => {
                buf.write_u8((ips.len() * 4) as u8);
                for ip in ips {
                    buf.write_ipv4(*ip)
                }
            }
            Self::ClasslessStaticRoute(rts) => {
                DhcpV4ClasslessRoutes::emit(rts.as_slice(), buf);
            }
            Self::DomainSearch(names) => {
                DhcpV4DomainSearch::emit(names.as_slice(), buf);
            }
            Self::Unknown(v) => {
                buf.write_u8(v.data.len() as u8);
                buf.write_bytes(v.data.as_slice());
            }
        }
    }
}

impl Ord for DhcpV4OptionCode {
    fn cmp(&self, other: &Self) -> Ordering {
        u8::from(*self).cmp(&u8::from(*other))
    }
}

impl PartialOrd for DhcpV4OptionCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// DHCPv4 option data before it is interpreted.
///
/// RFC 3396 requires repeated instances of an option to be concatenated
/// in the order they appear in the `options`, `file` and `sname` fields
/// before the aggregate value is parsed.
#[derive(Debug, Default)]
struct DhcpV4OptionsRaw {
    data: HashMap<u8, Vec<u8>>,
}

enum DhcpV4RawOption {
    Pad,
    End,
    Value { code: u8, data: Vec<u8> },
}

impl DhcpV4OptionsRaw {
    fn new() -> Self {
        Self::default()
    }

    fn parse_field(&mut self, raw: &[u8]) {
        let mut buf = Buffer::new(raw);
        while !buf.is_empty() {
            let remain_len = buf.remain_len();
            match Self::parse_option(&mut buf) {
                Ok(DhcpV4RawOption::Value { code, data }) => {
                    self.data
                        .entry(code)
                        .or_default()
                        .extend_from_slice(data.as_slice());
                }
                Ok(DhcpV4RawOption::Pad) => (),
                Ok(DhcpV4RawOption::End) => break,
                Err(e) => {
                    log::info!(
                        "Ignore DHCPv4 option due to parsing error: {e}"
                    );
                    // The parse only aborts without consuming any byte
                    // when the remaining data is a truncated option.
                    // Stop instead of parsing its data as option
                    // headers.
                    if buf.remain_len() == remain_len {
                        log::info!(
                            "Stop parsing DHCPv4 options due to malformed \
                             data: {:?}",
                            buf.get_remains()
                        );
                        break;
                    }
                }
            }
        }
    }

    fn parse_option(buf: &mut Buffer) -> Result<DhcpV4RawOption, DhcpError> {
        let code = buf.peek_u8().context("No DHCPv4 option code found")?;
        // RFC 2132 section 2: PAD and END options have no length octet.
        if code == CODE_PAD {
            buf.get_u8()
                .context("Failed to consume DHCPv4 PAD option")?;
            return Ok(DhcpV4RawOption::Pad);
        }
        if code == CODE_END {
            buf.get_u8()
                .context("Failed to consume DHCPv4 END option")?;
            return Ok(DhcpV4RawOption::End);
        }
        let header = buf
            .peek_bytes(2)
            .context(format!("No length for DHCPv4 option {code}"))?;
        let len = usize::from(header[1]);
        // RFC 2132 section 2: the length octet defines the boundary of
        // the option data. Take the whole option out of `buf` before
        // storing its data, otherwise malformed data, e.g. data shorter
        // or longer than `len`, would desynchronize parsing of the
        // following options.
        let opt_raw = buf.get_bytes(len + 2).context(format!(
            "Invalid DHCPv4 option {code} with length {len}"
        ))?;
        Ok(DhcpV4RawOption::Value {
            code,
            data: opt_raw[2..].to_vec(),
        })
    }

    fn option_overload(&self) -> Option<u8> {
        self.data.get(&CODE_OPTION_OVERLOAD).and_then(|data| {
            if data.len() == 1 && (1..=3).contains(&data[0]) {
                Some(data[0])
            } else {
                None
            }
        })
    }

    fn into_options(self) -> DhcpV4Options {
        let mut ret = DhcpV4Options::new();
        for (code, data) in self.data {
            if code == CODE_PAD || code == CODE_END {
                continue;
            }
            match DhcpV4Option::parse_data(code.into(), data.as_slice()) {
                Ok(opt) => ret.insert(opt),
                Err(e) => {
                    log::info!(
                        "Ignore DHCPv4 option {code} due to parsing error: {e}"
                    );
                }
            }
        }
        ret
    }
}

#[derive(Debug, PartialEq, Clone, Default)]
pub(crate) struct DhcpV4Options {
    data: HashMap<DhcpV4OptionCode, DhcpV4Option>,
}

impl DhcpV4Options {
    pub(crate) fn new() -> Self {
        Self {
            data: HashMap::new(),
        }
    }

    pub fn get(&self, code: DhcpV4OptionCode) -> Option<&DhcpV4Option> {
        self.data.get(&code)
    }

    pub fn get_data_raw(&self, code: u8) -> Option<Vec<u8>> {
        let opt = self.data.get(&code.into())?;
        let mut buf = BufferMut::new();
        opt.emit(&mut buf);
        if matches!(opt, DhcpV4Option::Pad | DhcpV4Option::End) {
            return Some(buf.data);
        }
        // RFC 3396: a value longer than 255 octets has to be encoded as
        // multiple TLV instances so the length octet stays valid.
        if buf.data.len() > usize::from(u8::MAX) + 2 {
            let mut ret = BufferMut::new();
            for chunk in buf.data[2..].chunks(usize::from(u8::MAX)) {
                ret.write_u8(code);
                ret.write_u8(chunk.len() as u8);
                ret.write_bytes(chunk);
            }
            Some(ret.data)
        } else {
            Some(buf.data)
        }
    }

    /// Parse the DHCPv4 `options` field and, when the option overload
    /// option (RFC 2132 section 9.3) requests it, the `file` and `sname`
    /// fields.
    ///
    /// RFC 2131 section 4.1 requires the fields to be interpreted in
    /// `options`, `file`, `sname` order. Returns the parsed options and
    /// the resolved option overload value (0 when absent or invalid).
    pub(crate) fn parse_with_overload(
        options_field: &[u8],
        file_field: &[u8],
        sname_field: &[u8],
    ) -> (Self, u8) {
        let mut raw = DhcpV4OptionsRaw::new();
        raw.parse_field(options_field);
        let overload = raw.option_overload().unwrap_or(0);
        if overload & 0x01 != 0 {
            raw.parse_field(file_field);
        }
        if overload & 0x02 != 0 {
            raw.parse_field(sname_field);
        }
        (raw.into_options(), overload)
    }

    pub(crate) fn emit(&self, buff: &mut BufferMut) {
        let mut codes: Vec<DhcpV4OptionCode> =
            self.data.keys().cloned().collect();
        codes.sort_unstable();
        for code in codes {
            if let Some(opt) = self.data.get(&code) {
                opt.emit(buff);
            }
        }
        if !self.data.contains_key(&DhcpV4OptionCode::End) {
            DhcpV4Option::End.emit(buff);
        }
    }

    pub(crate) fn insert(&mut self, opt: DhcpV4Option) {
        self.data.insert(opt.code(), opt);
    }
}

/// Classless Static Route
///
/// Defined by RFC 3442
#[derive(Debug, PartialEq, Eq, Clone, Copy, PartialOrd, Ord, Hash)]
pub struct DhcpV4ClasslessRoute {
    pub destination: Ipv4Addr,
    pub prefix_length: u8,
    pub router: Ipv4Addr,
}

impl DhcpV4ClasslessRoute {
    pub(crate) fn parse(buf: &mut Buffer) -> Result<Self, DhcpError> {
        let err_str = "Invalid DHCPv4 option for classless static route(121)";
        let prefix_length = buf.get_u8().context(err_str)?;
        let destination = match prefix_length {
            0 => Ipv4Addr::UNSPECIFIED,
            1..=8 => Ipv4Addr::new(buf.get_u8().context(err_str)?, 0, 0, 0),
            9..=16 => Ipv4Addr::new(
                buf.get_u8().context(err_str)?,
                buf.get_u8().context(err_str)?,
                0,
                0,
            ),
            17..=24 => Ipv4Addr::new(
                buf.get_u8().context(err_str)?,
                buf.get_u8().context(err_str)?,
                buf.get_u8().context(err_str)?,
                0,
            ),
            25..=32 => buf.get_ipv4().context(err_str)?,
            _ => {
                return Err(DhcpError::new(
                    ErrorKind::InvalidDhcpMessage,
                    format!(
                        "Invalid DHCPv4 classless static route prefix length \
                         {prefix_length}, should be 0 - 32"
                    ),
                ));
            }
        };

        Ok(Self {
            destination,
            prefix_length,
            router: buf.get_ipv4().context(err_str)?,
        })
    }

    pub(crate) fn emit(&self, buf: &mut BufferMut) {
        buf.write_u8(self.prefix_length);
        let dst_octs = self.destination.octets();
        match self.prefix_length {
            0 => (),
            1..=8 => buf.write_u8(dst_octs[0]),
            9..=16 => {
                buf.write_u8(dst_octs[0]);
                buf.write_u8(dst_octs[1]);
            }
            17..=24 => {
                buf.write_u8(dst_octs[0]);
                buf.write_u8(dst_octs[1]);
                buf.write_u8(dst_octs[2]);
            }
            _ => buf.write_ipv4(self.destination),
        }
        buf.write_ipv4(self.router);
    }
}

pub(crate) struct DhcpV4ClasslessRoutes;

impl DhcpV4ClasslessRoutes {
    pub(crate) fn parse(
        buf: &[u8],
    ) -> Result<Vec<DhcpV4ClasslessRoute>, DhcpError> {
        let mut buf = Buffer::new(buf);
        let mut ret: Vec<DhcpV4ClasslessRoute> = Vec::new();
        while !buf.is_empty() {
            ret.push(DhcpV4ClasslessRoute::parse(&mut buf)?);
        }
        Ok(ret)
    }

    pub(crate) fn emit(rts: &[DhcpV4ClasslessRoute], buf: &mut BufferMut) {
        let mut tmp_buf = BufferMut::new();
        for rt in rts {
            rt.emit(&mut tmp_buf);
        }
        buf.write_u8(tmp_buf.len() as u8);
        buf.write_bytes(tmp_buf.data.as_slice());
    }
}

/// Domain Search list
///
/// Defined by RFC 3397. The value is a sequence of domain names encoded in
/// the DNS wire format, optionally using DNS name compression pointers.
pub(crate) struct DhcpV4DomainSearch;

impl DhcpV4DomainSearch {
    const MAX_LABEL_LEN: usize = 63;
    const POINTER_MASK: u8 = 0xc0;
    const POINTER_MAX_OFFSET: usize = 0x3fff;

    pub(crate) fn parse(data: &[u8]) -> Result<Vec<String>, DhcpError> {
        let mut ret = Vec::new();
        let mut pos = 0;
        while pos < data.len() {
            let (name, next) = Self::parse_name(data, pos)?;
            ret.push(name);
            pos = next;
        }
        Ok(ret)
    }

    fn parse_name(
        data: &[u8],
        start: usize,
    ) -> Result<(String, usize), DhcpError> {
        let err_str = "Invalid DHCPv4 option for domain search(119)";
        let mut labels: Vec<&str> = Vec::new();
        let mut pos = start;
        let mut next_pos: Option<usize> = None;
        let mut jumps = 0usize;

        loop {
            let len = *data.get(pos).ok_or_else(|| {
                DhcpError::new(
                    ErrorKind::InvalidDhcpMessage,
                    format!("{err_str}: truncated domain name"),
                )
            })?;
            match len & Self::POINTER_MASK {
                0x00 => {
                    if len == 0 {
                        pos += 1;
                        if next_pos.is_none() {
                            next_pos = Some(pos);
                        }
                        break;
                    }
                    let label_len = usize::from(len);
                    let end = pos + 1 + label_len;
                    if end > data.len() {
                        return Err(DhcpError::new(
                            ErrorKind::InvalidDhcpMessage,
                            format!("{err_str}: truncated label"),
                        ));
                    }
                    let label = std::str::from_utf8(&data[pos + 1..end])
                        .map_err(|e| {
                            DhcpError::new(
                                ErrorKind::InvalidDhcpMessage,
                                format!("{err_str}: invalid label: {e}"),
                            )
                        })?;
                    labels.push(label);
                    pos = end;
                }
                Self::POINTER_MASK => {
                    let low = *data.get(pos + 1).ok_or_else(|| {
                        DhcpError::new(
                            ErrorKind::InvalidDhcpMessage,
                            format!("{err_str}: truncated compression pointer"),
                        )
                    })?;
                    let offset = (usize::from(len & !Self::POINTER_MASK) << 8)
                        | usize::from(low);
                    if next_pos.is_none() {
                        next_pos = Some(pos + 2);
                    }
                    // RFC 3397 compression pointers must point to an
                    // earlier occurrence, so following them always moves
                    // backwards and cannot loop. Guard against malformed
                    // input with a bounded jump counter anyway.
                    if offset >= pos || offset >= data.len() {
                        return Err(DhcpError::new(
                            ErrorKind::InvalidDhcpMessage,
                            format!(
                                "{err_str}: invalid compression pointer \
                                 {offset}"
                            ),
                        ));
                    }
                    jumps += 1;
                    if jumps > data.len() {
                        return Err(DhcpError::new(
                            ErrorKind::InvalidDhcpMessage,
                            format!("{err_str}: compression pointer loop"),
                        ));
                    }
                    pos = offset;
                }
                _ => {
                    return Err(DhcpError::new(
                        ErrorKind::InvalidDhcpMessage,
                        format!(
                            "{err_str}: unsupported label type 0x{len:02x}"
                        ),
                    ));
                }
            }
        }

        Ok((labels.join("."), next_pos.unwrap_or(pos)))
    }

    pub(crate) fn emit(names: &[String], buf: &mut BufferMut) {
        let mut data = BufferMut::new();
        let mut offsets: HashMap<String, usize> = HashMap::new();
        for name in names {
            Self::emit_name(name, &mut data, &mut offsets);
        }
        buf.write_u8(data.len() as u8);
        buf.write_bytes(data.data.as_slice());
    }

    fn emit_name(
        name: &str,
        buf: &mut BufferMut,
        offsets: &mut HashMap<String, usize>,
    ) {
        let trimmed = name.trim_end_matches('.');
        let labels: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('.').collect()
        };

        if labels.is_empty() {
            buf.write_u8(0);
            return;
        }

        let mut pointer: Option<usize> = None;
        let mut write_labels = labels.len();
        for i in 0..labels.len() {
            let suffix = labels[i..].join(".");
            if let Some(&offset) = offsets.get(&suffix) {
                if offset <= Self::POINTER_MAX_OFFSET {
                    pointer = Some(offset);
                    write_labels = i;
                    break;
                }
            }
        }

        for (i, label) in labels.iter().enumerate().take(write_labels) {
            let offset = buf.len();
            if offset <= Self::POINTER_MAX_OFFSET {
                offsets.entry(labels[i..].join(".")).or_insert(offset);
            }
            let mut label_bytes = label.as_bytes();
            if label_bytes.len() > Self::MAX_LABEL_LEN {
                log::warn!(
                    "Domain search label is longer than {} octets, \
                     truncating: {label}",
                    Self::MAX_LABEL_LEN
                );
                label_bytes = &label_bytes[..Self::MAX_LABEL_LEN];
            }
            buf.write_u8(label_bytes.len() as u8);
            buf.write_bytes(label_bytes);
        }

        match pointer {
            Some(offset) => {
                buf.write_u8(Self::POINTER_MASK | ((offset >> 8) as u8 & 0x3f));
                buf.write_u8((offset & 0xff) as u8);
            }
            None => buf.write_u8(0),
        }
    }
}

#[derive(Debug, PartialEq, Clone)]
pub struct DhcpV4OptionUnknown {
    pub code: u8,
    pub data: Vec<u8>,
}

#[cfg(test)]
mod test {
    use super::*;

    fn parse_options(raw: &[u8]) -> DhcpV4Options {
        DhcpV4Options::parse_with_overload(raw, &[], &[]).0
    }

    #[test]
    fn test_parse_classless_route_reject_prefix_over_32() {
        assert!(DhcpV4ClasslessRoutes::parse(&[
            33, 203, 0, 113, 192, 0, 2, 40
        ])
        .is_err());
    }

    #[test]
    fn test_parse_dns_server_option_length_is_boundary() {
        // DHCPv4 option 6(domain name server) claims 6 bytes of data but
        // only 4 of them form an IPv4 address. The trailing 2 bytes
        // should be dropped instead of being parsed as the header of
        // the following option.
        let opts = parse_options(&[
            6, 6, 8, 8, 8, 8, 1, 1, 12, 4, b'h', b'o', b's', b't',
        ]);
        assert_eq!(
            opts.get(DhcpV4OptionCode::DomainNameServer),
            Some(&DhcpV4Option::DomainNameServer(vec![Ipv4Addr::new(
                8, 8, 8, 8
            )]))
        );
        assert_eq!(
            opts.get(DhcpV4OptionCode::HostName),
            Some(&DhcpV4Option::HostName("host".to_string()))
        );
    }

    #[test]
    fn test_parse_split_option_is_concatenated_before_parsing() {
        // A DNS server option split into two TLV instances after the
        // first two octets of the address. The option data has to be
        // concatenated before it is parsed, otherwise both halves look
        // like incomplete addresses and are discarded.
        let opts = parse_options(&[6, 2, 8, 8, 6, 2, 8, 8, 0xff]);
        assert_eq!(
            opts.get(DhcpV4OptionCode::DomainNameServer),
            Some(&DhcpV4Option::DomainNameServer(vec![Ipv4Addr::new(
                8, 8, 8, 8
            )]))
        );
    }

    #[test]
    fn test_parse_malformed_option_does_not_desync_following_option() {
        // DHCP message type(53) with zero length cannot be parsed, but
        // the following host name(12) option should still be parsed.
        let opts = parse_options(&[53, 0, 12, 4, b'h', b'o', b's', b't']);
        assert!(opts.get(DhcpV4OptionCode::MessageType).is_none());
        assert_eq!(
            opts.get(DhcpV4OptionCode::HostName),
            Some(&DhcpV4Option::HostName("host".to_string()))
        );
    }

    #[test]
    fn test_parse_router_option_length_is_boundary() {
        // Router(3) claims 9 bytes of data, only 2 IPv4 addresses are
        // complete. The trailing single byte should be dropped instead
        // of being parsed as the header of the following option.
        let opts = parse_options(&[
            3, 9, 192, 0, 2, 1, 192, 0, 2, 2, 0xff, 12, 4, b'h', b'o', b's',
            b't',
        ]);
        assert_eq!(
            opts.get(DhcpV4OptionCode::Router),
            Some(&DhcpV4Option::Router(vec![
                Ipv4Addr::new(192, 0, 2, 1),
                Ipv4Addr::new(192, 0, 2, 2),
            ]))
        );
        assert_eq!(
            opts.get(DhcpV4OptionCode::HostName),
            Some(&DhcpV4Option::HostName("host".to_string()))
        );
    }

    #[test]
    fn test_parse_truncated_option_data_is_not_reinterpreted() {
        // Host name(12) declares 10 bytes of data but the buffer ends
        // after 5 bytes. Even if the remaining bytes look like a valid
        // DHCP message type(53) option, they belong to the truncated
        // host name option.
        let opts = parse_options(&[12, 10, 53, 1, 5, 99, 99]);
        assert!(opts.get(DhcpV4OptionCode::HostName).is_none());
        assert!(opts.get(DhcpV4OptionCode::MessageType).is_none());
    }

    #[test]
    fn test_parse_classless_routes() {
        // default route via 192.0.2.1 + 203.0.113.0/24 via 192.0.2.40
        assert_eq!(
            DhcpV4ClasslessRoutes::parse(&[
                0, 192, 0, 2, 1, 24, 203, 0, 113, 192, 0, 2, 40
            ])
            .unwrap(),
            vec![
                DhcpV4ClasslessRoute {
                    destination: Ipv4Addr::UNSPECIFIED,
                    prefix_length: 0,
                    router: Ipv4Addr::new(192, 0, 2, 1),
                },
                DhcpV4ClasslessRoute {
                    destination: Ipv4Addr::new(203, 0, 113, 0),
                    prefix_length: 24,
                    router: Ipv4Addr::new(192, 0, 2, 40),
                },
            ]
        );
    }

    #[test]
    fn test_get_data_raw_with_code_and_length() {
        let mut opts = DhcpV4Options::new();
        opts.insert(DhcpV4Option::Unknown(DhcpV4OptionUnknown {
            code: 249,
            data: vec![24, 203, 0, 113, 192, 0, 2, 40],
        }));
        assert_eq!(
            opts.get_data_raw(249).unwrap(),
            vec![249, 8, 24, 203, 0, 113, 192, 0, 2, 40]
        );
    }

    #[test]
    fn test_get_data_raw_splits_long_option() {
        let ips: Vec<Ipv4Addr> =
            (0..64).map(|i| Ipv4Addr::new(10, 0, i, 1)).collect();
        let mut opts = DhcpV4Options::new();
        opts.insert(DhcpV4Option::DomainNameServer(ips.clone()));
        let raw = opts.get_data_raw(6).unwrap();
        // 64 addresses occupy 256 octets, encoded as a 255-octet chunk
        // followed by a one-octet chunk.
        assert_eq!(raw.len(), 2 + 255 + 2 + 1);
        assert_eq!(raw[0], 6);
        assert_eq!(raw[1], 255);
        assert_eq!(raw[257], 6);
        assert_eq!(raw[258], 1);
        assert_eq!(
            parse_options(&raw).get(DhcpV4OptionCode::DomainNameServer),
            Some(&DhcpV4Option::DomainNameServer(ips))
        );
    }

    #[test]
    fn test_option_overload_round_trip() {
        for value in 1..=3 {
            let opt = DhcpV4Option::OptionOverload(value);
            let mut buf = BufferMut::new();
            opt.emit(&mut buf);
            assert_eq!(buf.data, vec![52, 1, value]);
            let opts = parse_options(&buf.data);
            assert_eq!(opts.get(DhcpV4OptionCode::OptionOverload), Some(&opt));
        }
    }

    #[test]
    fn test_parse_invalid_option_overload_is_ignored() {
        for raw in [
            &[52, 1, 0, 0xff][..],
            &[52, 1, 4, 0xff][..],
            &[52, 2, 2, 2, 0xff][..],
        ] {
            let opts = parse_options(raw);
            assert!(opts.get(DhcpV4OptionCode::OptionOverload).is_none());
        }
    }

    #[test]
    fn test_emit_string_option_rfc_2132_conform() {
        for (opt, payload) in [
            (
                DhcpV4Option::HostName("mozim-test".to_string()),
                "mozim-test",
            ),
            (
                DhcpV4Option::DomainName("example.com".to_string()),
                "example.com",
            ),
            (DhcpV4Option::Message("declined".to_string()), "declined"),
        ] {
            let mut buf = BufferMut::new();
            opt.emit(&mut buf);
            assert_eq!(buf.data[0], u8::from(opt.code()));
            assert_eq!(
                buf.data[1] as usize,
                payload.len(),
                "Length octet of option {} should be {} but got {}",
                u8::from(opt.code()),
                payload.len(),
                buf.data[1]
            );
            assert_eq!(
                &buf.data[2..],
                payload.as_bytes(),
                "Payload of option {} should have no padding or trailing NULL",
                u8::from(opt.code())
            );
        }
    }

    #[test]
    fn test_string_option_round_trip() {
        for opt in [
            DhcpV4Option::HostName("mozim-test".to_string()),
            DhcpV4Option::DomainName("example.com".to_string()),
            DhcpV4Option::Message("declined".to_string()),
        ] {
            let mut buf = BufferMut::new();
            opt.emit(&mut buf);
            let opts = parse_options(&buf.data);
            assert_eq!(opts.get(opt.code()), Some(&opt));
        }
    }

    #[test]
    fn test_parse_domain_search_with_compression() {
        // "example.com" followed by "www.example.com" where the second
        // name points back to the first one at offset 0.
        let raw = [
            7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm',
            0, 3, b'w', b'w', b'w', 0xc0, 0x00,
        ];
        assert_eq!(
            DhcpV4DomainSearch::parse(&raw).unwrap(),
            vec!["example.com".to_string(), "www.example.com".to_string()]
        );
    }

    #[test]
    fn test_parse_domain_search_option() {
        let opts = parse_options(&[
            119, 13, 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c',
            b'o', b'm', 0, 0xff,
        ]);
        assert_eq!(
            opts.get(DhcpV4OptionCode::DomainSearch),
            Some(&DhcpV4Option::DomainSearch(vec!["example.com".to_string()]))
        );
    }

    #[test]
    fn test_parse_domain_search_rejects_pointer_loop() {
        // Pointer at offset 0 pointing to itself must not loop forever.
        assert!(DhcpV4DomainSearch::parse(&[0xc0, 0x00]).is_err());
    }

    #[test]
    fn test_domain_search_compression_round_trip() {
        let names = vec![
            "example.com".to_string(),
            "www.example.com".to_string(),
            "mail.example.com".to_string(),
            "other.net".to_string(),
        ];
        let mut buf = BufferMut::new();
        DhcpV4DomainSearch::emit(&names, &mut buf);
        assert_eq!(DhcpV4DomainSearch::parse(&buf.data[1..]).unwrap(), names);
        // The shared "example.com" suffix should be encoded only once.
        assert_eq!(buf.data[0] as usize, buf.data.len() - 1);
        assert!(buf.data.windows(2).any(|w| w[0] & 0xc0 == 0xc0));
    }

    #[test]
    fn test_emit_overlong_string_truncated_to_255() {
        let opt = DhcpV4Option::HostName("a".repeat(300));
        let mut buf = BufferMut::new();
        opt.emit(&mut buf);
        assert_eq!(buf.data[0], u8::from(opt.code()));
        assert_eq!(buf.data[1], u8::MAX);
        assert_eq!(buf.data.len(), 2 + u8::MAX as usize);
    }
}
