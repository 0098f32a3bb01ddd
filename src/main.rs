fn main() {
    let a: Vec<String> = std::env::args().collect();
    rapport::model::convert_ct2(std::path::Path::new(&a[1]), std::path::Path::new(&a[2])).unwrap();
    let ctx = whisper_rs::WhisperContext::new_with_params(&a[2], whisper_rs::WhisperContextParameters::default()).unwrap();
    let mut st = ctx.create_state().unwrap();
    let r = hound::WavReader::open(&a[3]).unwrap();
    let s: Vec<f32> = r.into_samples::<i16>().map(|x| x.unwrap() as f32 / 32768.0).collect();
    let mut p = whisper_rs::FullParams::new(whisper_rs::SamplingStrategy::Greedy { best_of: 1 });
    p.set_n_threads(2);
    st.full(p, &s).unwrap();
    for seg in st.as_iter() { println!("{}", seg.to_str_lossy().unwrap()); }
}
