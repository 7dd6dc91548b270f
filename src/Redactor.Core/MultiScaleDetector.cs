namespace Redactor;

/// <summary>
/// Runs a face model over the passes of a scale plan and merges what the passes found. The finest pass (the
/// smallest faces; the costliest: upscaled at 720p, full resolution at 1080p) can be run on every
/// <c>fineEvery</c>-th frame only: in video the tracker carries a face found on one frame over the frames between,
/// so the time drops by a tenth (1080p) to a quarter (720p), though not without loss (see docs/results.md). Photos are frame 0 and always get
/// every pass.
/// </summary>
public sealed class MultiScaleDetector : IFaceDetector
{
    private readonly IFaceModel _model;
    private readonly IScalePlan _plan;
    private readonly int _fineEvery;
    private readonly ScorePolicy _policy;
    private (int W, int H, IReadOnlyList<DetectionPass> Passes, float Finest) _cached;

    /// <param name="policy">Scores that count; the model should already drop scores below its threshold.</param>
    public MultiScaleDetector(IFaceModel model, IScalePlan plan, ScorePolicy? policy = null, int fineEvery = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fineEvery, 1);
        _model = model;
        _plan = plan;
        _fineEvery = fineEvery;
        _policy = policy ?? new ScorePolicy();
    }

    public IReadOnlyList<Detection> Detect(Frame frame)
    {
        var all = new List<Detection>();
        foreach (var pass in PassesFor(frame))
        {
            foreach (var d in _model.Detect(frame, pass.Roi, pass.Scale))
            {
                if (d.Box.Height > pass.MaxFace) continue;
                if (_policy.Accepts(d)) all.Add(d);
                else if (_policy.IsWeak(d)) all.Add(d with { Weak = true });
            }
        }
        return BoxMerger.Merge(all);
    }

    /// <summary>The smallest face height (frame pixels) this search looks for on <paramref name="frame"/>: the model's
    /// smallest face (<see cref="ScalePlanner.ModelMinFace"/>) at the largest scale it runs there. A single pass fitted
    /// to a large frame shrinks it, so small faces there are searched by the other networks only.</summary>
    public float SmallestFace(Frame frame) => ScalePlanner.ModelMinFace / PassesFor(frame).Max(p => p.Scale);

    private IEnumerable<DetectionPass> PassesFor(Frame frame)
    {
        if (_cached.W != frame.Width || _cached.H != frame.Height || _cached.Passes is null)
        {
            var plan = _plan.Plan(frame.Width, frame.Height);
            // A plan of one scale has no finer pass to skip: every frame gets it.
            float finest = plan.Select(p => p.Scale).Distinct().Count() > 1 ? plan.Max(p => p.Scale) : float.PositiveInfinity;
            _cached = (frame.Width, frame.Height, plan, finest);
        }
        bool fine = frame.Index % _fineEvery == 0;
        return _cached.Passes.Where(p => p.Scale != _cached.Finest || fine);
    }

    public void Dispose() => _model.Dispose();
}

/// <summary>Union of several detectors' faces (an ensemble): each finds what the others miss; duplicates are merged.
/// With <paramref name="agreement"/>, small boxes are first weighed by whether another detector found them too (each
/// <see cref="MultiScaleDetector"/> says which face sizes it searched; another kind of detector is taken to have
/// searched none, so it never makes a box lose by its silence).</summary>
public sealed class UnionDetector(IReadOnlyList<IFaceDetector> detectors, NetworkAgreement? agreement = null) : IFaceDetector
{
    public IReadOnlyList<Detection> Detect(Frame frame) => agreement is null
        ? BoxMerger.Merge(detectors.SelectMany(d => d.Detect(frame)))
        : BoxMerger.Merge(agreement.Judge([.. detectors.Select(d =>
            new NetworkAgreement.Search(d.Detect(frame), d is MultiScaleDetector m ? m.SmallestFace(frame) : float.PositiveInfinity))]));

    public void Dispose()
    {
        foreach (var d in detectors) d.Dispose();
    }
}
