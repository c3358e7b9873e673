/// Pacer's pure building blocks: JSON values, RFC 3339 time. No I/O.
public enum PacerCore {}
