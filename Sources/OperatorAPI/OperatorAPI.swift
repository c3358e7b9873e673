/// OperatorAPI module.
public enum OperatorAPIModule {}
