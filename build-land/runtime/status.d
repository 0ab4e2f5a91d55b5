build-land/runtime/status.o: runtime/status.c runtime/status.h
runtime/status.h:
