build-land/runtime/model/tm_source.o: runtime/model/tm_source.c \
 runtime/alloc.h runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/model/tm_internal.h:
runtime/model/trace_model.h:
