/// Controllers module.
public enum ControllersModule {}
