namespace Redactor;

/// <summary>Runs a face model over every pass of a scale plan and merges what the passes found.</summary>
public sealed class MultiScaleDetector : IFaceDetector
{
    private readonly IFaceModel _model;
    private readonly ScalePlanner _planner;
    private (int W, int H, IReadOnlyList<DetectionPass> Passes) _cached;

    public MultiScaleDetector(IFaceModel model, ScalePlanner planner)
    {
        _model = model;
        _planner = planner;
    }

    public IReadOnlyList<Detection> Detect(Frame frame)
    {
        if (_cached.W != frame.Width || _cached.H != frame.Height || _cached.Passes is null)
            _cached = (frame.Width, frame.Height, _planner.Plan(frame.Width, frame.Height));
        var all = new List<Detection>();
        foreach (var pass in _cached.Passes)
            foreach (var d in _model.Detect(frame, pass.Roi, pass.Scale))
                if (d.Box.Height <= pass.MaxFace) all.Add(d);
        return BoxMerger.Merge(all);
    }

    public void Dispose() => _model.Dispose();
}
