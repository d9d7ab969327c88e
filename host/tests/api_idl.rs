//! The varlink IDL of `io.nipart.Network` against the protocol's types: for
//! each method, its parameters (less `timeout_ms`, which the API server
//! takes) must have the serde shape of the method's parameter type, its
//! `result` the shape of the reply type and its `progress` the shape of the
//! progress type. The shape is read from the types' `Deserialize` impls by
//! a probing deserializer, so a field added, removed, renamed or retyped on
//! either side fails here.

use std::collections::BTreeMap;

use nipart_plugin_api::{
    Request, Streams,
    protocol::api::{Commit, ListCheckpoints, NetworkMethod, Rollback},
    state::{ApiCall, ApplyRequest, ShowRequest, StatusRequest},
};
use nipartd::api::idl;
use serde::{
    Deserialize,
    de::{self, DeserializeSeed, IntoDeserializer, Visitor, value::Error as DeError},
};

/// A serde shape, as the IDL can describe it.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Bool,
    Int,
    Float,
    String,
    /// Free-form JSON (`object` in the IDL).
    Object,
    Optional(Box<Shape>),
    Array(Box<Shape>),
    Struct(Vec<(String, Shape)>),
}

/// A deserializer that records what a type asks for, answering with the
/// smallest value of that kind (one element for a sequence, every field
/// for a struct) so that nested types are probed too.
struct Probe<'a>(&'a mut Option<Shape>);

fn probe<'de, T: Deserialize<'de>>() -> Shape {
    let mut out = None;
    if let Err(e) = T::deserialize(Probe(&mut out)) {
        panic!("probing {}: {e}", std::any::type_name::<T>());
    }
    out.unwrap_or_else(|| panic!("{} asked for nothing", std::any::type_name::<T>()))
}

struct OneElement<'a> {
    slot: Option<&'a mut Option<Shape>>,
}

impl<'de> de::SeqAccess<'de> for OneElement<'_> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.slot.take() {
            Some(slot) => seed.deserialize(Probe(slot)).map(Some),
            None => Ok(None),
        }
    }
}

struct FieldProbe<'a> {
    names: std::slice::Iter<'static, &'static str>,
    current: Option<&'static str>,
    out: &'a mut Vec<(String, Shape)>,
}

impl<'de> de::MapAccess<'de> for FieldProbe<'_> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.names.next() {
            Some(name) => {
                self.current = Some(name);
                seed.deserialize((*name).into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let mut slot = None;
        let v = seed.deserialize(Probe(&mut slot))?;
        let name = self.current.take().unwrap_or_default();
        self.out
            .push((name.to_string(), slot.unwrap_or(Shape::Object)));
        Ok(v)
    }
}

struct NoEntries;

impl<'de> de::MapAccess<'de> for NoEntries {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        _: K,
    ) -> Result<Option<K::Value>, DeError> {
        Ok(None)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, _: V) -> Result<V::Value, DeError> {
        Err(de::Error::custom("no value"))
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        *self.0 = Some(Shape::Object);
        v.visit_map(NoEntries)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        *self.0 = Some(Shape::Bool);
        v.visit_bool(false)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        *self.0 = Some(Shape::Int);
        v.visit_u64(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        *self.0 = Some(Shape::Float);
        v.visit_f64(0.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        *self.0 = Some(Shape::String);
        v.visit_str("")
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let mut inner = None;
        let r = v.visit_some(Probe(&mut inner));
        *self.0 = Some(Shape::Optional(Box::new(inner.unwrap_or(Shape::Object))));
        r
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        let mut inner = None;
        let r = v.visit_seq(OneElement {
            slot: Some(&mut inner),
        });
        *self.0 = Some(Shape::Array(Box::new(inner.unwrap_or(Shape::Object))));
        r
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_any(v)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let mut out = Vec::new();
        let r = v.visit_map(FieldProbe {
            names: fields.iter(),
            current: None,
            out: &mut out,
        });
        *self.0 = Some(Shape::Struct(out));
        r
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        // Unit variants travel as strings.
        *self.0 = Some(Shape::String);
        let first = variants.first().copied().unwrap_or_default();
        v.visit_enum(first.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u128 f32 char bytes byte_buf unit unit_struct tuple
        tuple_struct identifier ignored_any
    }
}

/// The IDL of an interface: its types and its methods' parameters and
/// results.
struct Idl {
    types: BTreeMap<String, Fields>,
    /// Parameters and results.
    methods: BTreeMap<String, (Fields, Fields)>,
}

/// Name and IDL type of each field, in order.
type Fields = Vec<(String, String)>;

fn fields(list: &str) -> Fields {
    list.split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            let (name, ty) = f.split_once(':').unwrap_or_else(|| panic!("field {f:?}"));
            (name.trim().to_string(), ty.trim().to_string())
        })
        .collect()
}

fn parse(text: &str) -> Idl {
    let text: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let mut idl = Idl {
        types: BTreeMap::new(),
        methods: BTreeMap::new(),
    };
    let mut rest = text.as_str();
    while let Some(i) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[i..];
        let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
        match word {
            "type" | "method" | "error" => {
                let open = after.find('(').expect("(");
                let name = after[..open].trim().to_string();
                let close = open + after[open..].find(')').expect(")");
                let params = fields(&after[open + 1..close]);
                rest = &after[close + 1..];
                if word == "type" {
                    idl.types.insert(name, params);
                } else if word == "method" {
                    let open = rest.find('(').expect("result (");
                    let close = open + rest[open..].find(')').expect("result )");
                    let results = fields(&rest[open + 1..close]);
                    rest = &rest[close + 1..];
                    idl.methods.insert(name, (params, results));
                }
            }
            _ => rest = after,
        }
    }
    idl
}

impl Idl {
    /// The shape an IDL type stands for.
    fn shape(&self, ty: &str) -> Shape {
        if let Some(inner) = ty.strip_prefix('?') {
            return Shape::Optional(Box::new(self.shape(inner)));
        }
        if let Some(inner) = ty.strip_prefix("[]") {
            return Shape::Array(Box::new(self.shape(inner)));
        }
        match ty {
            "bool" => Shape::Bool,
            "int" => Shape::Int,
            "float" => Shape::Float,
            "string" => Shape::String,
            "object" => Shape::Object,
            name => Shape::Struct(
                self.struct_fields(
                    self.types
                        .get(name)
                        .unwrap_or_else(|| panic!("the IDL does not declare type {name}")),
                ),
            ),
        }
    }

    fn struct_fields(&self, fields: &[(String, String)]) -> Vec<(String, Shape)> {
        fields
            .iter()
            .map(|(n, t)| (n.clone(), self.shape(t)))
            .collect()
    }
}

/// Whether the IDL's shape describes the type's: the same fields in any
/// order, each of the same shape; `?T` in the IDL also stands for a `T`
/// that has a default (optional for the caller, always in replies).
fn check(path: &str, idl: &Shape, rust: &Shape) -> Result<(), String> {
    match (idl, rust) {
        (Shape::Optional(i), Shape::Optional(r)) => check(path, i, r),
        (Shape::Optional(i), r) => check(path, i, r),
        (Shape::Array(i), Shape::Array(r)) => check(&format!("{path}[]"), i, r),
        (Shape::Struct(i), Shape::Struct(r)) => {
            let names = |f: &Vec<(String, Shape)>| {
                let mut n: Vec<String> = f.iter().map(|(n, _)| n.clone()).collect();
                n.sort();
                n
            };
            if names(i) != names(r) {
                return Err(format!(
                    "{path}: the IDL has fields {:?}, the type {:?}",
                    names(i),
                    names(r)
                ));
            }
            for (name, shape) in i {
                let other = &r.iter().find(|(n, _)| n == name).expect("same names").1;
                check(&format!("{path}.{name}"), shape, other)?;
            }
            Ok(())
        }
        (i, r) if i == r => Ok(()),
        (i, r) => Err(format!("{path}: the IDL says {i:?}, the type is {r:?}")),
    }
}

/// Checks one method against its parameter, reply and progress types.
fn check_method<P>(idl: &Idl, progress: Option<Shape>) -> Vec<String>
where
    P: NetworkMethod,
    ApiCall<P>: Request,
{
    let method = P::METHOD;
    let Some((params, results)) = idl.methods.get(method) else {
        return vec![format!("the IDL has no method {method}")];
    };
    let mut errors = Vec::new();
    let params: Vec<_> = params
        .iter()
        .filter(|(n, _)| n != "timeout_ms")
        .cloned()
        .collect();
    if let Err(e) = check(
        &format!("{method}()"),
        &Shape::Struct(idl.struct_fields(&params)),
        &probe::<P>(),
    ) {
        errors.push(e);
    }
    let mut expected = vec![(
        "result".to_string(),
        probe::<<ApiCall<P> as Request>::Reply>(),
    )];
    if let Some(p) = progress {
        expected.push(("progress".to_string(), p));
    }
    if let Err(e) = check(
        &format!("{method}() ->"),
        &Shape::Struct(idl.struct_fields(results)),
        &Shape::Struct(expected),
    ) {
        errors.push(e);
    }
    errors
}

fn progress_of<R: Streams>() -> Option<Shape>
where
    R::Progress: for<'de> Deserialize<'de>,
{
    Some(probe::<R::Progress>())
}

#[test]
fn network_idl_matches_the_protocol_types() {
    let idl = parse(idl::NETWORK_IDL);
    let mut errors = Vec::new();
    errors.extend(check_method::<ShowRequest>(&idl, None));
    errors.extend(check_method::<ApplyRequest>(
        &idl,
        progress_of::<ApiCall<ApplyRequest>>(),
    ));
    errors.extend(check_method::<Commit>(
        &idl,
        progress_of::<ApiCall<Commit>>(),
    ));
    errors.extend(check_method::<Rollback>(
        &idl,
        progress_of::<ApiCall<Rollback>>(),
    ));
    errors.extend(check_method::<ListCheckpoints>(&idl, None));
    errors.extend(check_method::<StatusRequest>(&idl, None));
    assert!(errors.is_empty(), "the IDL drifted:\n{}", errors.join("\n"));
    // Every method of the interface is one of the protocol's.
    let known = [
        ShowRequest::METHOD,
        ApplyRequest::METHOD,
        Commit::METHOD,
        Rollback::METHOD,
        ListCheckpoints::METHOD,
        StatusRequest::METHOD,
    ];
    for m in idl.methods.keys() {
        assert!(known.contains(&m.as_str()), "IDL method {m} has no type");
    }
}

#[test]
fn the_check_sees_a_drift() {
    // The same IDL with a field renamed and one retyped fails.
    let renamed = idl::NETWORK_IDL.replace("no_verify: ?bool", "skip_verify: ?bool");
    let errors = check_method::<ApplyRequest>(&parse(&renamed), None);
    assert!(
        errors.iter().any(|e| e.contains("skip_verify")),
        "{errors:?}"
    );
    let retyped = idl::NETWORK_IDL.replace("attempts: int", "attempts: string");
    let errors =
        check_method::<ApplyRequest>(&parse(&retyped), progress_of::<ApiCall<ApplyRequest>>());
    assert!(errors.iter().any(|e| e.contains("attempts")), "{errors:?}");
}
