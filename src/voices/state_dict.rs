//! Reads the float tensors of a `PyTorch` state dict saved by `torch.save`:
//! a zip holding `data.pkl` (a pickle naming each tensor's storage, offset,
//! shape and strides) and one raw little-endian file per storage.
//!
//! Written here rather than taken from a crate: the crates that read this
//! format (candle-core, burn-store) come with a whole tensor framework, and
//! a state dict needs only a small, strict subset of pickle — the opcodes
//! `torch.save` emits for a dict of tensors. Anything else is refused with
//! the opcode named, never guessed at.

use std::collections::HashMap;
use std::io::Read;

/// A float tensor: its shape and its values in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Why a file is not a state dict this reader understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn malformed(reason: impl Into<String>) -> Malformed {
    Malformed(reason.into())
}

#[derive(Debug, Clone)]
enum Value {
    Mark,
    None,
    Bool,
    Int(i64),
    Str(String),
    Tuple(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Global(String),
    Storage { key: String, dtype: String },
    Tensor(TensorRef),
}

#[derive(Debug, Clone)]
struct TensorRef {
    key: String,
    dtype: String,
    offset: usize,
    shape: Vec<usize>,
    stride: Vec<usize>,
}

/// Every `float32` tensor in the zip `bytes`, by name; other dtypes (the
/// batch norms' `num_batches_tracked` counters) are left out.
pub fn read(bytes: &[u8]) -> Result<HashMap<String, Tensor>, Malformed> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| malformed(format!("not a PyTorch zip file: {e}")))?;
    let pickle_name = archive
        .file_names()
        .find(|n| n.ends_with("/data.pkl"))
        .map(str::to_string)
        .ok_or_else(|| malformed("no data.pkl inside: not a PyTorch state dict"))?;
    let prefix = pickle_name.trim_end_matches("data.pkl").to_string();
    let pickle = entry(&mut archive, &pickle_name)?;
    let mut tensors = HashMap::new();
    for (name, value) in unpickle(&pickle)? {
        let Value::Tensor(t) = value else { continue };
        if t.dtype != "FloatStorage" {
            continue;
        }
        let storage = entry(&mut archive, &format!("{prefix}data/{}", t.key))?;
        tensors.insert(name.clone(), materialise(&name, &t, &storage)?);
    }
    Ok(tensors)
}

fn entry(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
) -> Result<Vec<u8>, Malformed> {
    let mut file = archive
        .by_name(name)
        .map_err(|e| malformed(format!("{name}: {e}")))?;
    let mut bytes = Vec::new();
    // The zip reader checks each entry's CRC at its end: a flipped bit in
    // the weights is an error here, not a wrong voice print later.
    file.read_to_end(&mut bytes)
        .map_err(|e| malformed(format!("{name}: {e}")))?;
    Ok(bytes)
}

fn materialise(name: &str, t: &TensorRef, storage: &[u8]) -> Result<Tensor, Malformed> {
    let count: usize = t.shape.iter().product();
    // Contiguous row-major strides are all `torch.save` writes for these
    // weights; anything else would need a gather this reader does not do.
    let mut expected = vec![1; t.shape.len()];
    for i in (0..t.shape.len().saturating_sub(1)).rev() {
        expected[i] = expected[i + 1] * t.shape[i + 1];
    }
    if count > 1 && t.stride != expected {
        return Err(malformed(format!("{name}: not stored contiguously")));
    }
    let start = t.offset * 4;
    let end = start + count * 4;
    let bytes = storage
        .get(start..end)
        .ok_or_else(|| malformed(format!("{name}: its storage is shorter than its shape")))?;
    let data = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok(Tensor {
        shape: t.shape.clone(),
        data,
    })
}

/// Runs the pickle machine over `bytes`; the result must be a dict with
/// string keys.
fn unpickle(bytes: &[u8]) -> Result<Vec<(String, Value)>, Malformed> {
    let mut machine = Machine {
        bytes,
        at: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    let Value::Dict(items) = machine.run()? else {
        return Err(malformed("data.pkl does not hold a dict"));
    };
    items
        .into_iter()
        .map(|(k, v)| match k {
            Value::Str(k) => Ok((k, v)),
            _ => Err(malformed("data.pkl: a key that is not a string")),
        })
        .collect()
}

struct Machine<'a> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Value>,
    memo: HashMap<u32, Value>,
}

impl Machine<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Malformed> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| malformed("data.pkl ends early"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The argument of BININT1, BININT2 or BININT.
    fn int(&mut self, op: u8) -> Result<i64, Malformed> {
        Ok(match op {
            b'K' => i64::from(self.u8()?),
            b'M' => i64::from(self.u16()?),
            _ => i64::from(self.u32()?.cast_signed()),
        })
    }

    fn line(&mut self) -> Result<String, Malformed> {
        let rest = &self.bytes[self.at..];
        let len = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| malformed("data.pkl ends early"))?;
        let text = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.at += len + 1;
        Ok(text)
    }

    fn pop(&mut self) -> Result<Value, Malformed> {
        self.stack
            .pop()
            .ok_or_else(|| malformed("data.pkl pops an empty stack"))
    }

    fn top(&self) -> Result<&Value, Malformed> {
        self.stack
            .last()
            .ok_or_else(|| malformed("data.pkl reads an empty stack"))
    }

    /// Everything above the last mark, which is removed.
    fn pop_mark(&mut self) -> Result<Vec<Value>, Malformed> {
        let mark = self
            .stack
            .iter()
            .rposition(|v| matches!(v, Value::Mark))
            .ok_or_else(|| malformed("data.pkl: no mark"))?;
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        Ok(items)
    }

    fn get(&self, key: u32) -> Result<Value, Malformed> {
        self.memo
            .get(&key)
            .cloned()
            .ok_or_else(|| malformed(format!("data.pkl: memo {key} unset")))
    }

    fn run(&mut self) -> Result<Value, Malformed> {
        loop {
            let op = self.u8()?;
            match op {
                0x80 => {
                    self.u8()?; // protocol version
                }
                b'.' => return self.pop(),
                b'}' => self.stack.push(Value::Dict(Vec::new())),
                b')' => self.stack.push(Value::Tuple(Vec::new())),
                b'(' => self.stack.push(Value::Mark),
                b'N' => self.stack.push(Value::None),
                0x88 | 0x89 => self.stack.push(Value::Bool),
                b'K' | b'M' | b'J' => {
                    let v = self.int(op)?;
                    self.stack.push(Value::Int(v));
                }
                b'X' => {
                    let len = self.u32()? as usize;
                    let text = String::from_utf8(self.take(len)?.to_vec())
                        .map_err(|_| malformed("data.pkl: a string that is not UTF-8"))?;
                    self.stack.push(Value::Str(text));
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    self.stack.push(Value::Global(format!("{module}.{name}")));
                }
                b'q' => {
                    let key = u32::from(self.u8()?);
                    self.memo.insert(key, self.top()?.clone());
                }
                b'r' => {
                    let key = self.u32()?;
                    self.memo.insert(key, self.top()?.clone());
                }
                b'h' => {
                    let key = u32::from(self.u8()?);
                    self.stack.push(self.get(key)?);
                }
                b'j' => {
                    let key = self.u32()?;
                    self.stack.push(self.get(key)?);
                }
                b't' => {
                    let items = self.pop_mark()?;
                    self.stack.push(Value::Tuple(items));
                }
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    let at = self
                        .stack
                        .len()
                        .checked_sub(n)
                        .ok_or_else(|| malformed("data.pkl pops an empty stack"))?;
                    let items = self.stack.split_off(at);
                    self.stack.push(Value::Tuple(items));
                }
                b'Q' => {
                    let pid = self.pop()?;
                    self.stack.push(storage(pid)?);
                }
                b'R' => {
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    self.stack.push(reduce(callable, args)?);
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let Some(Value::Dict(dict)) = self.stack.last_mut() else {
                        return Err(malformed("data.pkl: SETITEMS on something not a dict"));
                    };
                    let mut items = items.into_iter();
                    while let (Some(k), Some(v)) = (items.next(), items.next()) {
                        dict.push((k, v));
                    }
                }
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    let Some(Value::Dict(dict)) = self.stack.last_mut() else {
                        return Err(malformed("data.pkl: SETITEM on something not a dict"));
                    };
                    dict.push((k, v));
                }
                other => {
                    return Err(malformed(format!(
                        "data.pkl: pickle opcode 0x{other:02x} at byte {} is not one a state dict uses",
                        self.at - 1
                    )));
                }
            }
        }
    }
}

/// `persistent_load`: `("storage", torch.FloatStorage, key, device, numel)`.
fn storage(pid: Value) -> Result<Value, Malformed> {
    match pid {
        Value::Tuple(items) => match items.as_slice() {
            [Value::Str(kind), Value::Global(dtype), Value::Str(key), ..] if kind == "storage" => {
                Ok(Value::Storage {
                    key: key.clone(),
                    dtype: dtype.rsplit('.').next().unwrap_or_default().to_string(),
                })
            }
            _ => Err(malformed("data.pkl: a persistent id that is not a storage")),
        },
        _ => Err(malformed("data.pkl: a persistent id that is not a tuple")),
    }
}

fn reduce(callable: Value, args: Value) -> Result<Value, Malformed> {
    let Value::Global(name) = callable else {
        return Err(malformed("data.pkl: REDUCE of something not callable"));
    };
    let Value::Tuple(args) = args else {
        return Err(malformed("data.pkl: REDUCE without an argument tuple"));
    };
    match name.as_str() {
        "torch._utils._rebuild_tensor_v2" => match args.as_slice() {
            [
                Value::Storage { key, dtype },
                Value::Int(offset),
                Value::Tuple(shape),
                Value::Tuple(stride),
                ..,
            ] => Ok(Value::Tensor(TensorRef {
                key: key.clone(),
                dtype: dtype.clone(),
                offset: usize::try_from(*offset)
                    .map_err(|_| malformed("data.pkl: a negative offset"))?,
                shape: sizes(shape)?,
                stride: sizes(stride)?,
            })),
            _ => Err(malformed("data.pkl: a tensor with unexpected arguments")),
        },
        // The tensors' (empty) backward hooks.
        "collections.OrderedDict" => Ok(Value::Dict(Vec::new())),
        other => Err(malformed(format!(
            "data.pkl calls {other}, which a state dict does not"
        ))),
    }
}

fn sizes(values: &[Value]) -> Result<Vec<usize>, Malformed> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(n) => {
                usize::try_from(*n).map_err(|_| malformed("data.pkl: a negative size"))
            }
            _ => Err(malformed("data.pkl: a size that is not a number")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A state dict as `torch.save` writes it, by hand: one 2×2 float
    /// tensor and one int counter (skipped).
    fn tiny_state_dict(pickle: &[u8]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("archive/data.pkl", options).unwrap();
        zip.write_all(pickle).unwrap();
        zip.start_file("archive/data/0", options).unwrap();
        for v in [1.0f32, 2.0, 3.0, 4.0] {
            zip.write_all(&v.to_le_bytes()).unwrap();
        }
        zip.start_file("archive/data/1", options).unwrap();
        zip.write_all(&7i64.to_le_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    fn pickle_of_two_tensors(rebuild: &str) -> Vec<u8> {
        let mut p = vec![0x80, 2, b'}', b'q', 0, b'('];
        let string = |p: &mut Vec<u8>, s: &str| {
            p.push(b'X');
            p.extend((s.len() as u32).to_le_bytes());
            p.extend(s.as_bytes());
        };
        for (name, storage, key, shape) in [
            ("w", "FloatStorage", "0", &[2u8, 2][..]),
            ("n", "LongStorage", "1", &[][..]),
        ] {
            string(&mut p, name);
            p.extend(format!("c{rebuild}\n").as_bytes());
            // The arguments' mark, then the persistent id's.
            p.extend([b'(', b'(']);
            string(&mut p, "storage");
            p.extend(format!("ctorch\n{storage}\n").as_bytes());
            string(&mut p, key);
            string(&mut p, "cpu");
            p.extend([b'K', 4, b't', b'Q', b'K', 0, b'(']);
            for &s in shape {
                p.extend([b'K', s]);
            }
            p.extend([b't', b'(']);
            if !shape.is_empty() {
                p.extend([b'K', 2, b'K', 1]);
            }
            p.extend([b't', 0x89]);
            p.extend(b"ccollections\nOrderedDict\n");
            p.extend([b')', b'R', b't', b'R']);
        }
        p.extend([b'u', b'.']);
        p
    }

    #[test]
    fn reads_float_tensors_and_skips_counters() {
        let pickle = pickle_of_two_tensors("torch._utils\n_rebuild_tensor_v2");
        let tensors = read(&tiny_state_dict(&pickle)).unwrap();
        assert_eq!(tensors.len(), 1);
        assert_eq!(tensors["w"].shape, [2, 2]);
        assert_eq!(tensors["w"].data, [1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn refuses_what_a_state_dict_does_not_hold() {
        let pickle = pickle_of_two_tensors("os\nsystem");
        let err = read(&tiny_state_dict(&pickle)).unwrap_err();
        assert!(err.0.contains("os.system"), "{err}");
        let err = read(&tiny_state_dict(&[0x80, 2, 0xff])).unwrap_err();
        assert!(err.0.contains("opcode 0xff"), "{err}");
        let err = read(b"not a zip").unwrap_err();
        assert!(err.0.contains("not a PyTorch zip"), "{err}");
    }
}
