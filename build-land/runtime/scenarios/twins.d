build-land/runtime/scenarios/twins.o: runtime/scenarios/twins.c \
 runtime/scenarios/twins.h runtime/trace.h runtime/value.h runtime/sbuf.h \
 runtime/alloc.h
runtime/scenarios/twins.h:
runtime/trace.h:
runtime/value.h:
runtime/sbuf.h:
runtime/alloc.h:
