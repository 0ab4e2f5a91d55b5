build-land/runtime/model/tm_state.o: runtime/model/tm_state.c \
 runtime/alloc.h runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/model/tm_internal.h:
runtime/model/trace_model.h:
