//! The converted model file, read back independently of the converter:
//! header, mel filters, vocabulary bytes, tensor names, shapes and types.

use std::collections::BTreeMap;
use std::path::Path;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        slice
    }

    fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.take(4).try_into().unwrap())
    }

    fn f32(&mut self) -> f32 {
        f32::from_le_bytes(self.take(4).try_into().unwrap())
    }
}

const GGML_F32: i32 = 0;
const GGML_F16: i32 = 1;
const GGML_Q8_0: i32 = 8;

struct TensorInfo {
    dims: Vec<i32>,
    ttype: i32,
}

struct Ggml {
    hparams: Vec<i32>,
    mel: (i32, i32, Vec<f32>),
    tokens: Vec<Vec<u8>>,
    tensors: BTreeMap<String, TensorInfo>,
}

fn read(path: &Path) -> Ggml {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/test, which installs the model",
            path.display()
        )
    });
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
    };
    assert_eq!(r.take(4), &0x6767_6d6c_u32.to_le_bytes(), "ggml magic");
    let hparams: Vec<i32> = (0..11).map(|_| r.i32()).collect();
    let (n_mel, n_fft) = (r.i32(), r.i32());
    let filters = (0..n_mel * n_fft).map(|_| r.f32()).collect();
    let n_tokens = r.i32();
    let tokens = (0..n_tokens)
        .map(|_| {
            let len = r.i32() as usize;
            r.take(len).to_vec()
        })
        .collect();
    let mut tensors = BTreeMap::new();
    while r.at < bytes.len() {
        let (n_dims, name_len, ttype) = (r.i32(), r.i32(), r.i32());
        let dims: Vec<i32> = (0..n_dims).map(|_| r.i32()).collect();
        let name = String::from_utf8(r.take(name_len as usize).to_vec()).unwrap();
        let elements: i64 = dims.iter().map(|&d| i64::from(d)).product();
        // q8_0: blocks of 32 weights, each 32 bytes and an f16 scale.
        let size = match ttype {
            GGML_F32 => elements * 4,
            GGML_F16 => elements * 2,
            GGML_Q8_0 => elements / 32 * 34,
            other => panic!("{name}: unexpected tensor type {other}"),
        };
        r.take(size as usize);
        tensors.insert(name, TensorInfo { dims, ttype });
    }
    Ggml {
        hparams,
        mel: (n_mel, n_fft, filters),
        tokens,
        tensors,
    }
}

#[test]
fn converted_tiny_en_has_whisper_cpp_layout() {
    let model = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-tiny.en-q8_0.bin"));
    // n_vocab, audio ctx/state/head/layer, text ctx/state/head/layer, n_mels,
    // ftype (q8_0 = 7, quantisation version 2 in the thousands).
    assert_eq!(
        model.hparams,
        [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 2007]
    );

    let (n_mel, n_fft, filters) = &model.mel;
    assert_eq!((*n_mel, *n_fft), (80, 201));
    assert_eq!(
        filters,
        &rapport::model::mel::slaney_filters(16_000, 400, 80)
    );

    assert_eq!(model.tokens.len(), 50_256);
    assert_eq!(model.tokens[0], b"!");
    assert_eq!(model.tokens[220], b" ");
    assert_eq!(model.tokens[198], b"\n");
    assert_eq!(model.tokens[464], b"The");
    assert_eq!(model.tokens[50_255], b" gazed");

    assert_eq!(model.tensors.len(), 167);
    let f32_names = [
        "encoder.positional_embedding",
        "decoder.positional_embedding",
        "encoder.conv1.bias",
        "encoder.conv2.bias",
    ];
    for (name, tensor) in &model.tensors {
        // Matrices are 8-bit; the convolution kernels (3-D) stay f16, as
        // whisper.cpp's own quantize tool leaves them.
        let expected = if tensor.dims.len() == 1 || f32_names.contains(&name.as_str()) {
            GGML_F32
        } else if tensor.dims.len() == 2 {
            GGML_Q8_0
        } else {
            GGML_F16
        };
        assert_eq!(tensor.ttype, expected, "{name} has type {}", tensor.ttype);
    }
    // Dims are stored innermost first, as ggml counts them.
    assert_eq!(model.tensors["encoder.conv1.weight"].dims, [3, 80, 384]);
    assert_eq!(model.tensors["encoder.conv1.bias"].dims, [1, 384]);
    assert_eq!(
        model.tensors["decoder.token_embedding.weight"].dims,
        [384, 51864]
    );
    assert_eq!(
        model.tensors["decoder.blocks.3.cross_attn.value.weight"].dims,
        [384, 384]
    );
    assert!(
        model
            .tensors
            .contains_key("encoder.blocks.0.attn.query.bias")
    );
    assert!(!model.tensors.contains_key("encoder.blocks.0.attn.key.bias"));
    assert!(
        !model
            .tensors
            .contains_key("decoder.blocks.0.cross_attn.key.bias")
    );
}

#[test]
fn converted_base_is_multilingual_with_the_joined_weights() {
    let model = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/ggml-base-q8_0.bin"));
    // The multilingual vocabulary (51,865: whisper.cpp's sign of a
    // multilingual model), 6 layers of 512 a side, 8 heads.
    assert_eq!(
        model.hparams,
        [51865, 1500, 512, 8, 6, 448, 512, 8, 6, 80, 2007]
    );
    // One text token more than tiny.en's: <|endoftext|> is 50,257 here.
    assert_eq!(model.tokens.len(), 50_257);
    assert_eq!(model.tokens[0], b"!");
    assert_eq!(model.tokens[220], b" ");
    // Per block as tiny.en's: every variable of both halves of
    // model.bin was read.
    assert_eq!(model.tensors.len(), 6 * 15 + 6 * 24 + 11);
    assert_eq!(
        model.tensors["decoder.token_embedding.weight"].dims,
        [512, 51865]
    );
    assert_eq!(model.tensors["decoder.ln.weight"].dims, [512]);
}
