/// Pipeline module.
public enum PipelineModule {}
