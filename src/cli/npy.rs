//! Reading the CLI's `.npy` inputs: logits (float32/float64, rank 4) and labels (any integer type,
//! rank 3), C or Fortran order, with every way a file can be wrong turned into a one-line message.
//!
//! The header is read first (ndarray-npy's parser), so the dtype is known before any data is read
//! and a header that promises more data than the file holds is refused before anything is allocated.

use ndarray::{Array3, Array4, ArrayD, Ix3, Ix4};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyExt, ReadableElement};
use py_literal::Value as PyValue;
use std::path::Path;

/// A parsed `.npy` file: its dtype descriptor, shape and whole bytes.
struct NpyFile {
    descr: String,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

/// Reads and checks the header; the message of an error starts with the file's role and path.
fn open(role: &str, path: &Path) -> Result<NpyFile, String> {
    let where_ = format!("{role} {}", path.display());
    let bytes = std::fs::read(path).map_err(|e| format!("{where_}: cannot read: {e}"))?;
    parse(&where_, bytes)
}

/// Checks the header of a whole `.npy` file's bytes; `where_` starts every message.
fn parse(where_: &str, bytes: Vec<u8>) -> Result<NpyFile, String> {
    let mut reader = &bytes[..];
    let header = Header::from_reader(&mut reader)
        .map_err(|e| format!("{where_}: not a valid .npy file ({e})"))?;
    let descr = match &header.type_descriptor {
        PyValue::String(s) => s.clone(),
        other => return Err(format!("{where_}: unsupported structured dtype {other}")),
    };
    let item: usize = descr.get(2..).and_then(|s| s.parse().ok()).unwrap_or(0);
    // ndarray refuses (by panicking inside ndarray-npy) a shape whose non-zero dimensions multiply
    // past isize::MAX, even when another dimension is 0: refuse it here first.
    let too_large = || format!("{where_}: shape {:?} is too large", header.shape);
    header
        .shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(item.max(1), |acc, &d| acc.checked_mul(d))
        .filter(|&n| isize::try_from(n).is_ok())
        .ok_or_else(too_large)?;
    let needed = header
        .shape
        .iter()
        .try_fold(item, |acc, &d| acc.checked_mul(d))
        .ok_or_else(too_large)?;
    if needed > reader.len() {
        return Err(format!(
            "{where_}: truncated: shape {:?} of {descr} needs {needed} bytes of data, the file has {}",
            header.shape,
            reader.len()
        ));
    }
    Ok(NpyFile {
        descr,
        shape: header.shape,
        bytes,
    })
}

/// The dtype letter and size of a descriptor such as `<f4` or `|u1`.
fn kind(descr: &str) -> (char, &str) {
    let mut chars = descr.chars().skip(1);
    (chars.next().unwrap_or('?'), descr.get(2..).unwrap_or(""))
}

fn read<T: ReadableElement>(where_: &str, f: &NpyFile) -> Result<ArrayD<T>, String> {
    ArrayD::<T>::read_npy(&f.bytes[..]).map_err(|e| format!("{where_}: {e}"))
}

fn check_rank(where_: &str, f: &NpyFile, rank: usize, dims: &str) -> Result<(), String> {
    if f.shape.len() == rank {
        Ok(())
    } else {
        Err(format!(
            "{where_}: expected {rank} dimensions {dims}, got shape {:?}",
            f.shape
        ))
    }
}

/// Reads logits: float32 or float64, shape (B, H, W, C), in standard layout.
pub fn read_logits(path: &Path) -> Result<Array4<f32>, String> {
    let where_ = format!("logits {}", path.display());
    logits_from(&where_, open("logits", path)?)
}

/// [`read_logits`] from a file's bytes; `name` names it in messages.
pub fn logits_from_bytes(name: &str, bytes: Vec<u8>) -> Result<Array4<f32>, String> {
    let where_ = format!("logits {name}");
    logits_from(&where_, parse(&where_, bytes)?)
}

fn logits_from(where_: &str, f: NpyFile) -> Result<Array4<f32>, String> {
    check_rank(where_, &f, 4, "(B, H, W, C)")?;
    let any = match kind(&f.descr) {
        ('f', "4") => read::<f32>(where_, &f)?,
        // Narrowing to f32 is the contract: f32 storage everywhere.
        ('f', "8") => read::<f64>(where_, &f)?.mapv(|v| v as f32),
        _ => {
            return Err(format!(
                "{where_}: dtype '{}' is not supported, expected float32 or float64",
                f.descr
            ))
        }
    };
    let arr = any
        .into_dimensionality::<Ix4>()
        .map_err(|e| format!("{where_}: {e}"))?;
    Ok(arr.as_standard_layout().into_owned())
}

/// Reads labels: any integer dtype, shape (B, H, W), widened to i64, in standard layout.
pub fn read_labels(path: &Path) -> Result<Array3<i64>, String> {
    let where_ = format!("labels {}", path.display());
    labels_from(&where_, open("labels", path)?)
}

/// [`read_labels`] from a file's bytes; `name` names it in messages.
pub fn labels_from_bytes(name: &str, bytes: Vec<u8>) -> Result<Array3<i64>, String> {
    let where_ = format!("labels {name}");
    labels_from(&where_, parse(&where_, bytes)?)
}

fn labels_from(where_: &str, f: NpyFile) -> Result<Array3<i64>, String> {
    check_rank(where_, &f, 3, "(B, H, W)")?;
    let any: ArrayD<i64> = match kind(&f.descr) {
        ('u', "1") => read::<u8>(where_, &f)?.mapv(i64::from),
        ('i', "1") => read::<i8>(where_, &f)?.mapv(i64::from),
        ('u', "2") => read::<u16>(where_, &f)?.mapv(i64::from),
        ('i', "2") => read::<i16>(where_, &f)?.mapv(i64::from),
        ('u', "4") => read::<u32>(where_, &f)?.mapv(i64::from),
        ('i', "4") => read::<i32>(where_, &f)?.mapv(i64::from),
        ('i', "8") => read::<i64>(where_, &f)?,
        ('u', "8") => read::<u64>(where_, &f)?.mapv(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        _ => {
            return Err(format!(
                "{where_}: dtype '{}' is not supported, expected an integer type (uint8, int32, int64, …)",
                f.descr
            ))
        }
    };
    let arr = any
        .into_dimensionality::<Ix3>()
        .map_err(|e| format!("{where_}: {e}"))?;
    Ok(arr.as_standard_layout().into_owned())
}
