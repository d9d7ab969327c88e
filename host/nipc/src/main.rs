fn main() { eprintln!("nipc: not implemented yet"); std::process::exit(1); }
